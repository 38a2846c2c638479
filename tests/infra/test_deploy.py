"""A real deploy on loopback: the pinned CDK CLI bootstraps and deploys to moto server, then the
deployed code, read back from the bootstrap bucket, runs against the Bedrock emulator.

moto's CloudFormation invokes a `Custom::` resource's function and holds the stack in
CREATE_IN_PROGRESS until a SUCCESS arrives at its response URL; without Docker it cannot run the
function (its log group records "error running docker"), so the test answers in the provider's
place, as the registry's CreateRegistry call would (moto has no EventSchemas; the call itself is
proven in tests/infra/test_console_test_events.py).
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import STACK_NAME
from emulator import BedrockEmulator
from infra.console_test_events import REGISTRY_NAME, REGISTRY_RESOURCE_TYPE
from localdev.services import ACCOUNT_ID as ACCOUNT
from localdev.services import DUMMY_CREDENTIALS as CREDENTIALS
from localdev.services import REGION, local_client
from tests.infra.asset_support import host_overlay, run_asset_handler
from tests.infra.synthesis import run_cdk

ASSET_BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # 'localhost', not 127.0.0.1: moto reads a path-style S3 bucket from the host name otherwise.
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def answer_custom_resources(moto_url: str, done: threading.Event, errors: list[str]) -> None:
    """Answer SUCCESS, as the provider function would, for each custom resource of the stack being
    created, at moto's response URL (the one moto passes in the request it cannot deliver).

    moto creates the stack's resources in the CreateStack request and checks each custom resource
    as it passes it, so an answer that lands while that loop still runs is lost. The answer waits
    until every resource of the template is listed, and is repeated while the stack stays
    CREATE_IN_PROGRESS: a repeated SUCCESS is harmless, a lost one hangs the deploy."""
    cloudformation = local_client("cloudformation", moto_url)
    while not done.wait(1):
        try:
            stacks = cloudformation.list_stacks(StackStatusFilter=["CREATE_IN_PROGRESS"])
            for stack in (s for s in stacks["StackSummaries"] if s["StackName"] == STACK_NAME):
                template = cloudformation.get_template(StackName=STACK_NAME)["TemplateBody"]
                declared = (json.loads(template) if isinstance(template, str) else template)["Resources"]
                listed = cloudformation.describe_stack_resources(StackName=STACK_NAME)["StackResources"]
                if len(listed) < len(declared):
                    continue
                for resource in listed:
                    if resource.get("ResourceType") == REGISTRY_RESOURCE_TYPE:
                        answer_success(moto_url, stack["StackId"], resource["LogicalResourceId"])
        except Exception as error:  # kept for the failure message, then retried
            errors.append(repr(error))


def answer_success(moto_url: str, stack_id: str, logical_id: str) -> None:
    response = {
        "Status": "SUCCESS",
        "StackId": stack_id,
        "LogicalResourceId": logical_id,
        "RequestId": "answered-by-the-test",
        "PhysicalResourceId": REGISTRY_NAME,
        "Data": {},
    }
    urllib.request.urlopen(
        urllib.request.Request(
            f"{moto_url}/cloudformation_{REGION}/cfnresponse?stack={stack_id}",
            data=json.dumps(response).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        ),
        timeout=10,
    )


@pytest.fixture(scope="module")
def deployed(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Bootstrap and deploy with the pinned CLI; returns the stack's outputs."""
    work = tmp_path_factory.mktemp("deploy")
    environment = {
        **CREDENTIALS,
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "CDK_DEFAULT_ACCOUNT": ACCOUNT,
        "CDK_DEFAULT_REGION": REGION,
    }
    output = ("--output", str(work / "cdk.out"))
    done = threading.Event()
    errors: list[str] = []
    provider = threading.Thread(target=answer_custom_resources, args=(moto_url, done, errors), daemon=True)
    provider.start()
    for command in (
        ("bootstrap", f"aws://{ACCOUNT}/{REGION}"),
        (
            "deploy",
            "--require-approval",
            "never",
            "--method=direct",
            "--outputs-file",
            str(work / "outputs.json"),
        ),
    ):
        try:
            result = run_cdk(*output, *command, **environment)
        finally:
            if command[0] == "deploy":
                done.set()
                provider.join(timeout=10)
        assert result.returncode == 0, (
            f"cdk {command[0]} failed:\n{result.stderr[-4000:]}\nanswering custom resources: {errors[-3:]}"
        )
    return json.loads((work / "outputs.json").read_text())[STACK_NAME]  # type: ignore[no-any-return]


def test_the_deployed_function_has_the_handler_environment_and_role_of_the_template(
    deployed: dict[str, str], moto_url: str
) -> None:
    function = local_client("lambda", moto_url).get_function(FunctionName=deployed["FunctionName"])[
        "Configuration"
    ]
    assert function["Handler"] == "janitor.handlers.cleanup.lambda_handler"
    assert function["Runtime"] == "python3.14"
    variables = function["Environment"]["Variables"]
    assert variables["NOTIFICATION_TOPIC_ARN"] == deployed["TopicArn"]
    assert (variables["OLDER_THAN_DAYS"], variables["DRY_RUN"], variables["RETAIN_TAG_KEY"]) == (
        "30",
        "false",
        "janitor:retain",
    )

    iam = local_client("iam", moto_url)
    role_name = function["Role"].rsplit("/", 1)[-1]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    statements = [
        statement
        for policy in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
        for statement in iam.get_role_policy(RoleName=role_name, PolicyName=policy)["PolicyDocument"][
            "Statement"
        ]
    ]
    [deny] = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Action"] == "bedrock:BatchDeleteEvaluationJob"
    assert deny["Condition"] == {"StringEqualsIgnoreCase": {"aws:ResourceTag/janitor:retain": "true"}}
    assert deny["Resource"] == f"arn:aws:bedrock:{REGION}:{ACCOUNT}:evaluation-job/*"


def test_the_topic_is_encrypted_and_the_alarms_are_left_to_the_template_tests(
    deployed: dict[str, str], moto_url: str
) -> None:
    attributes = local_client("sns", moto_url).get_topic_attributes(TopicArn=deployed["TopicArn"])[
        "Attributes"
    ]
    assert attributes["KmsMasterKeyId"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    # moto accepts AWS::CloudWatch::Alarm without creating it; tests/infra/test_template.py covers them.
    assert local_client("cloudwatch", moto_url).describe_alarms()["MetricAlarms"] == []


def test_the_deployed_code_deletes_old_jobs_and_reports_a_failure_to_the_deployed_topic(
    deployed: dict[str, str], moto_url: str, tmp_path: Path
) -> None:
    lambda_client = local_client("lambda", moto_url)
    function = lambda_client.get_function(FunctionName=deployed["FunctionName"])["Configuration"]
    s3 = local_client("s3", moto_url)
    # The bucket also holds the registry provider's (Node.js) code: take the janitor's.
    [archive] = [
        body
        for obj in s3.list_objects_v2(Bucket=ASSET_BUCKET)["Contents"]
        if obj["Key"].endswith(".zip")
        for body in [s3.get_object(Bucket=ASSET_BUCKET, Key=obj["Key"])["Body"].read()]
        if "janitor/handlers/cleanup.py" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    ]
    code = tmp_path / "code"
    zipfile.ZipFile(io.BytesIO(archive)).extractall(code)

    sqs, sns = local_client("sqs", moto_url), local_client("sns", moto_url)
    queue_url = sqs.create_queue(QueueName="failure-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=deployed["TopicArn"], Protocol="sqs", Endpoint=queue_arn)

    now = datetime.now(UTC)
    with BedrockEmulator(region=REGION, account_id=ACCOUNT) as bedrock:
        old = [
            bedrock.add_job(status="Completed", creation_time=now - timedelta(days=40 + i)) for i in range(5)
        ]
        retained = bedrock.add_job(
            status="Completed", creation_time=now - timedelta(days=90), tags={"janitor:retain": "true"}
        )
        recent = bedrock.add_job(status="Completed", creation_time=now - timedelta(days=3))
        bedrock.fail_item(old[0], "500", "Internal error deleting this job.")

        report = run_asset_handler(
            code,
            function["Handler"],
            host_overlay(tmp_path / "overlay"),
            {
                **function["Environment"]["Variables"],
                **CREDENTIALS,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ENDPOINT_URL_BEDROCK": bedrock.endpoint_url,
                "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": bedrock.endpoint_url,
                "AWS_ENDPOINT_URL_SNS": moto_url,
                "POWERTOOLS_TRACE_DISABLED": "true",
            },
            event={},
            result_file=tmp_path / "result.json",
        )
        assert report["module_file"].startswith(str(code))
        summary = report["result"]
        assert (summary["deleted"], summary["failed"]) == (4, 1)
        assert sorted(bedrock.surviving_job_arns()) == sorted([old[0], retained, recent])

    [message] = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    notification = json.loads(json.loads(message["Body"])["Message"])
    assert [job["jobIdentifier"] for job in notification["failedJobs"]] == [old[0]]
