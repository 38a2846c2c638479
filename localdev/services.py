"""Start the Bedrock emulator and moto server on loopback, wired the way the deployed function is.

The tests' fixtures and `make demo` both use `local_aws()`, so neither re-implements the setup.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from emulator import BedrockEmulator
from emulator.quota import QuotaEmulator
from emulator.server import DEFAULT_DELETING_SECONDS
from janitor import RUNTIME_ENVIRONMENT

REGION = "us-east-1"
#: moto's default account; only ever used against the local servers.
ACCOUNT_ID = "123456789012"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:bedrock-evaluation-janitor"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def local_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client for a loopback stand-in, with the dummy credentials and region."""
    session = boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=REGION,
    )
    return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]


@dataclass
class LocalAws:
    bedrock: BedrockEmulator
    moto_url: str
    topic_arn: str
    queue_url: str

    def function_environment(self, **settings: str) -> dict[str, str]:
        """The environment the stack gives the function, pointed at the local servers."""
        return {
            **DUMMY_CREDENTIALS,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_BEDROCK": self.bedrock.endpoint_url,
            # AgentCore's batch evaluations are served by the same emulator.
            "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": self.bedrock.endpoint_url,
            # The emulator serves the tagging API's GetResources on Bedrock's port, over the same jobs.
            "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": self.bedrock.endpoint_url,
            "AWS_ENDPOINT_URL_SNS": self.moto_url,
            # The member role of another account is assumed with moto's STS.
            "AWS_ENDPOINT_URL_STS": self.moto_url,
            # An organization run's results, accounts and executions (localdev/organization_run.py).
            "AWS_ENDPOINT_URL_S3": self.moto_url,
            "AWS_ENDPOINT_URL_ORGANIZATIONS": self.moto_url,
            "AWS_ENDPOINT_URL_SFN": self.moto_url,
            "NOTIFICATION_TOPIC_ARN": self.topic_arn,
            **RUNTIME_ENVIRONMENT,
            "POWERTOOLS_TRACE_DISABLED": "true",
            **settings,
        }

    def client(self, service: str) -> Any:
        on_emulator = service in ("bedrock", "resourcegroupstaggingapi")
        return local_client(service, self.bedrock.endpoint_url if on_emulator else self.moto_url)

    def published_notifications(self) -> list[dict[str, Any]]:
        """Every SNS notification delivered to the test queue so far: Subject and parsed Message."""
        sqs = self.client("sqs")
        notifications: list[dict[str, Any]] = []
        while True:
            response = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = response.get("Messages", [])
            if not messages:
                return notifications
            for message in messages:
                envelope = json.loads(message["Body"])
                notifications.append(
                    {"Subject": envelope.get("Subject"), "Message": json.loads(envelope["Message"])}
                )
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def accounts_by_moto_sts(moto_url: str) -> Callable[[str], str | None]:
    """Access key id -> its account, as moto's STS tells (GetCallerIdentity, remembered): keys
    from an AssumeRole act in the role's account, so the emulator sees the account AWS would."""
    known: dict[str, str] = {}
    lock = threading.Lock()

    def account_of(access_key: str) -> str | None:
        with lock:
            if access_key in known:
                return known[access_key]
        # moto identifies the caller by its access key id alone and checks no signature.
        sts = boto3.client(
            "sts",
            region_name=REGION,
            endpoint_url=moto_url,
            aws_access_key_id=access_key,
            aws_secret_access_key="unchecked",
        )
        account = sts.get_caller_identity()["Account"]
        with lock:
            known[access_key] = account
        return account

    return account_of


@contextmanager
def local_aws(
    seed: int = 0,
    deleting_seconds: float = DEFAULT_DELETING_SECONDS,
    quotas: Mapping[str, float] | None = None,
) -> Iterator[LocalAws]:
    """The emulator and moto server on free loopback ports, a topic and a queue subscribed to it.

    With `quotas` (operation -> requests/s), the emulator throttles like a service quota does.
    Deleted jobs stay listed as Deleting for `deleting_seconds`, as real ones do.
    """
    # moto's werkzeug server logs every request; the janitor's own output is what matters here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        moto_url = f"http://{host}:{port}"
        # moto keeps its state in process-wide globals: start each use from an empty account.
        urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"))
        options: dict[str, Any] = {
            "region": REGION,
            "account_id": ACCOUNT_ID,
            "seed": seed,
            "deleting_seconds": deleting_seconds,
            "account_of_key": accounts_by_moto_sts(moto_url),
        }
        bedrock = QuotaEmulator(quotas=quotas, **options) if quotas else BedrockEmulator(**options)
        with bedrock as emulator:
            local = LocalAws(bedrock=emulator, moto_url=moto_url, topic_arn="", queue_url="")
            sns, sqs = local.client("sns"), local.client("sqs")
            local.topic_arn = sns.create_topic(Name="janitor-failures")["TopicArn"]
            local.queue_url = sqs.create_queue(QueueName="janitor-failures-inbox")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=local.queue_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            sns.subscribe(TopicArn=local.topic_arn, Protocol="sqs", Endpoint=queue_arn)
            yield local
    finally:
        moto.stop()


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, restoring the previous values."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
