"""The real AWS CLI against the emulator, and `python -m emulator` as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from emulator import BedrockEmulator
from tests.emulator.support import MISSING_ARN, REGION

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

REPO_ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).parent / "aws"


def aws(emu: BedrockEmulator, tmp_path: Path, *args: str, service: str = "bedrock") -> Any:
    # A clean environment, so no profile, config file or real credentials leak in.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    result = subprocess.run(
        [
            str(AWS_CLI),
            service,
            *args,
            "--endpoint-url",
            emu.endpoint_url,
            "--region",
            REGION,
            "--output",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_aws_cli_lists_jobs(emu: BedrockEmulator, tmp_path: Path) -> None:
    # More jobs than the default page, so the CLI's own pagination is exercised too.
    arns = {emu.add_job(status="Completed") for _ in range(130)}
    emu.add_job(name="rag-1", application_type="RagEvaluation")

    everything = aws(emu, tmp_path, "list-evaluation-jobs")
    assert {s["jobArn"] for s in everything["jobSummaries"]} >= arns
    assert len(everything["jobSummaries"]) == 131

    rag = aws(emu, tmp_path, "list-evaluation-jobs", "--application-type-equals", "RagEvaluation")
    assert [s["jobName"] for s in rag["jobSummaries"]] == ["rag-1"]
    assert emu.request_counts()["ListEvaluationJobs"] == 3


def test_aws_cli_batch_deletes(emu: BedrockEmulator, tmp_path: Path) -> None:
    done = emu.add_job(status="Completed")
    result = aws(emu, tmp_path, "batch-delete-evaluation-job", "--job-identifiers", done, MISSING_ARN)
    assert result["evaluationJobs"] == [{"jobIdentifier": done, "jobStatus": "Deleting"}]
    assert result["errors"] == [
        {"jobIdentifier": MISSING_ARN, "code": "404", "message": "Unable to locate this job to delete."}
    ]
    assert emu.job_arns(status="Deleting") == [done]


def test_aws_cli_gets_resources_by_arn_list(emu: BedrockEmulator, tmp_path: Path) -> None:
    retained = emu.add_job(tags={"janitor:retain": "true", "team": "search"})
    plain = emu.add_job()
    result = aws(
        emu,
        tmp_path,
        "get-resources",
        "--resource-arn-list",
        plain,
        retained,
        MISSING_ARN,
        service="resourcegroupstaggingapi",
    )
    assert result["ResourceTagMappingList"] == [
        {
            "ResourceARN": retained,
            "Tags": [{"Key": "janitor:retain", "Value": "true"}, {"Key": "team", "Value": "search"}],
        }
    ]
    assert emu.request_counts() == {"GetResources": 1}


def test_python_m_emulator_serves_demo_data(boto_session: boto3.session.Session) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--seed-demo", "--latency-ms", "1"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        client: BedrockClient = boto_session.client("bedrock", endpoint_url=url)
        pages = client.get_paginator("list_evaluation_jobs").paginate(PaginationConfig={"PageSize": 1000})
        summaries = [s for page in pages for s in page["jobSummaries"]]
        assert len(summaries) == 60
        # By default a deleted job stays listed as Deleting, as on the service.
        done = next(s["jobArn"] for s in summaries if s["status"] == "Completed")
        assert client.batch_delete_evaluation_job(jobIdentifiers=[done])["errors"] == []
        deleting = client.list_evaluation_jobs(statusEquals="Deleting")["jobSummaries"]
        assert [s["jobArn"] for s in deleting] == [done]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr


def test_the_cli_and_the_class_default_to_the_same_deleting_time() -> None:
    from emulator.__main__ import _parser
    from emulator.server import DEFAULT_DELETING_SECONDS

    assert _parser().parse_args([]).deleting_seconds == DEFAULT_DELETING_SECONDS == 60.0
    assert BedrockEmulator().deleting_seconds == DEFAULT_DELETING_SECONDS
    assert _parser().parse_args(["--deleting-seconds", "0"]).deleting_seconds == 0.0
