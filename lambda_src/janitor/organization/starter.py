"""The only module that talks to Step Functions: start an organization run, once per schedule slot.

The execution is named after the time the schedule was due (`nightly-2026-11-30T03-00-00Z`:
execution names may not hold colons), so a schedule delivered twice, or retried after a lost
reply, finds the run already started instead of starting a second one. Step Functions keeps a
Standard workflow's execution names for 90 days.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from janitor.aws.sdk import client_config

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


def create_step_functions_client(session: boto3.session.Session) -> SFNClient:
    # No endpoint here: AWS_ENDPOINT_URL_SFN redirects the client when it is set.
    return session.client("stepfunctions", config=client_config())


def execution_name(scheduled_time: datetime, prefix: str = "nightly") -> str:
    return f"{prefix}-{scheduled_time.strftime('%Y-%m-%dT%H-%M-%SZ')}"


def start_run(client: SFNClient, state_machine_arn: str, name: str) -> tuple[str, bool]:
    """(the execution's ARN, whether the slot's run had already ended).

    Step Functions answers a start with the name and input of a running execution with that
    execution, and a start with the name of an ended one with ExecutionAlreadyExists.
    """
    try:
        started = client.start_execution(stateMachineArn=state_machine_arn, name=name, input="{}")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise
        region_arn = state_machine_arn.replace(":stateMachine:", ":execution:")
        return f"{region_arn}:{name}", True
    return started["executionArn"], False
