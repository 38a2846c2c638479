"""The organization run's coordinator: a second Lambda entry point in the same asset.

Three actions, each a step of the run (infra/organization_run.py draws the state machine):

- `start` (from the schedule): start the state machine, named after the scheduled time;
- `listTargets` (its first state): the accounts under the OUs now, plus the listed accounts, less
  the excluded ones, by every target Region, written to the run's `targets.json`;
- `gather` (its last state): every target's result into one organization-wide summary, its
  metrics (totals and per Region) and one SNS report.

The janitor itself (janitor.handlers.cleanup) runs once per target in between.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from janitor import METRICS_NAMESPACE, SERVICE_NAME
from janitor.aws.notifier import SnsFailureNotifier, create_sns_client
from janitor.aws.sdk import lenient_session
from janitor.config.function_environment import load_settings
from janitor.config.overrides import InvalidInvocationError
from janitor.config.targets import home_target, plan_targets
from janitor.core.deadline import Deadline
from janitor.organization.accounts import OrganizationAccounts, create_organizations_client
from janitor.organization.report import (
    organization_failure_messages,
    organization_metrics,
    organization_summary,
    read_results,
    short_form,
)
from janitor.organization.results import READ_CONCURRENCY, RunResults, planned_results
from janitor.organization.starter import create_step_functions_client, execution_name, start_run
from janitor.outputs.s3 import create_s3_client

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

settings = load_settings(os.environ)
session = lenient_session()
notifier = SnsFailureNotifier(lambda: create_sns_client(session), settings.notification_topic_arn)
if settings.results_bucket is None or settings.state_machine_arn is None:
    raise RuntimeError(
        "The coordinator needs RESULTS_BUCKET and STATE_MACHINE_ARN; the stack sets both in "
        "organization mode. Redeploy the stack rather than invoking this function elsewhere."
    )
run_results = RunResults(lambda: create_s3_client(session, READ_CONCURRENCY), settings.results_bucket)
#: Failed targets named in the state's output; all of them are in the SNS report and summary.json.
FAILED_TARGETS_IN_OUTPUT = 20
REPORT_MARGIN_SECONDS = 2.0
_RUN_ID = r"^[A-Za-z0-9_-]{1,80}$"


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StartRun(_Action):
    action: Literal["start"]
    #: The time the schedule was due (`<aws.scheduler.scheduled-time>`); absent: a manual start.
    scheduled_time: datetime | None = Field(None, alias="scheduledTime")


class ListTargets(_Action):
    action: Literal["listTargets"]
    run_id: str = Field(alias="runId", pattern=_RUN_ID)


class Gather(_Action):
    action: Literal["gather"]
    run_id: str = Field(alias="runId", pattern=_RUN_ID)


_EVENT: TypeAdapter[StartRun | ListTargets | Gather] = TypeAdapter(
    Annotated[StartRun | ListTargets | Gather, Field(discriminator="action")]
)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    try:
        action = _EVENT.validate_python(event)
    except ValidationError as error:
        raise InvalidInvocationError(
            f"Invalid coordinator event: {error.errors()[0]['msg']}. Send "
            '{"action": "start"} to start an organization run now.'
        ) from None
    if isinstance(action, StartRun):
        return start(action)
    if isinstance(action, ListTargets):
        return list_targets(action, context)
    return gather(action, context)


def start(action: StartRun) -> dict[str, Any]:
    assert settings.state_machine_arn is not None
    if action.scheduled_time is None:
        name = execution_name(datetime.now(UTC), prefix="manual")
    else:
        name = execution_name(action.scheduled_time.astimezone(UTC))
    arn, already_ran = start_run(create_step_functions_client(session), settings.state_machine_arn, name)
    message = "Organization run already ran for this slot" if already_ran else "Organization run started"
    logger.info(message, extra={"executionArn": arn})
    return {"executionArn": arn, "alreadyRan": already_ran}


def list_targets(action: ListTargets, context: LambdaContext) -> dict[str, Any]:
    home = home_target(context.invoked_function_arn)
    under_units = (
        OrganizationAccounts(create_organizations_client(session)).active_accounts_under(
            settings.organization_units
        )
        if settings.organization_units
        else []
    )
    targets = plan_targets(under_units, settings, home)
    key = run_results.put_targets(action.run_id, targets)
    logger.info(
        "Organization run planned", extra={"targets": len(targets), "accountsUnderUnits": len(under_units)}
    )
    return {"bucket": run_results.bucket, "key": key, "count": len(targets)}


def gather(action: Gather, context: LambdaContext) -> dict[str, Any]:
    recorded, missing = planned_results(
        run_results.targets(action.run_id), run_results.results(action.run_id)
    )
    unrecorded = [
        {
            "target": target.model_dump(by_alias=True),
            "failure": {
                "Error": "NoResultRecorded",
                "Cause": "The target's run ended without recording a result; see the Map Run's failed items.",
            },
        }
        for target in missing
    ]
    summary = organization_summary(read_results([*recorded, *unrecorded]))
    key = run_results.put_summary(action.run_id, summary)
    _publish_metrics(summary)
    logger.info(
        "Organization run finished",
        extra={"summary": short_form(summary)},
    )
    deadline = Deadline(lambda: context.get_remaining_time_in_millis() / 1000 - REPORT_MARGIN_SECONDS)
    notifier.publish(organization_failure_messages(summary), deadline)
    return {
        **short_form(summary),
        "targetsFailed": len(summary["targetsFailed"]),
        "firstFailedTargets": summary["targetsFailed"][:FAILED_TARGETS_IN_OUTPUT],
        "summary": {"bucket": run_results.bucket, "key": key},
    }


def _publish_metrics(summary: dict[str, Any]) -> None:
    """The totals under the single-account run's dimensions (so its alarms and dashboard read
    them unchanged), then each Region's under a `Region` dimension; no account dimension."""
    for dimensions, values in organization_metrics(summary):
        if not dimensions:
            sink: Metrics | EphemeralMetrics = metrics
        else:
            sink = EphemeralMetrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)
            for dimension, dimension_value in dimensions.items():
                sink.add_dimension(name=dimension, value=dimension_value)
        for name, value in values.items():
            sink.add_metric(name=name, unit=MetricUnit.Count, value=value)
        if sink is not metrics:
            sink.flush_metrics()
