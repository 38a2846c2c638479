"""The emulator's raw responses have the members and JSON types a real account's have.

The reference is tests/data/recorded/ (see its README): hand-written in the shape Cloud Custodian
recorded from a live account. The emulator's jobs here are made the way that account's were
(CreateEvaluationJob with a description, tags, a foundation-model ARN and Builtin.BoolQ), and
also seeded with add_job, which tests and the demo use.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.utils import parse_timestamp

from emulator import BedrockEmulator
from tests.emulator.support import ACCOUNT_ID, raw_request
from tests.recorded import recorded, shape_of

MODEL_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"


def create_like_the_recording(emu: BedrockEmulator, name: str) -> str:
    """A job made with the same request members as the account's recorded jobs were."""
    request = {
        "jobName": name,
        "jobDescription": "An example model evaluation job",
        "roleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/example-evaluation-role",
        "applicationType": "ModelEvaluation",
        "evaluationConfig": {
            "automated": {
                "datasetMetricConfigs": [
                    {
                        "taskType": "QuestionAndAnswer",
                        "dataset": {"name": "Builtin.BoolQ"},
                        "metricNames": ["Builtin.Accuracy"],
                    }
                ]
            }
        },
        "inferenceConfig": {
            "models": [
                {
                    "bedrockModel": {
                        "modelIdentifier": MODEL_ARN,
                        "inferenceParams": json.dumps({"inferenceConfig": {"maxTokens": 256}}),
                    }
                }
            ]
        },
        "outputDataConfig": {"s3Uri": "s3://example-evaluation-output/evaluations/"},
        "jobTags": [{"key": "owner", "value": "example-team"}, {"key": "purpose", "value": "example"}],
    }
    status, _, body = raw_request(emu, "POST", "/evaluation-jobs", json.dumps(request).encode())
    assert status == 202, body
    arn = body["jobArn"]
    assert isinstance(arn, str)
    return arn


@pytest.fixture
def jobs(emu: BedrockEmulator) -> list[str]:
    created = create_like_the_recording(emu, "example-evaluation-one")
    seeded = emu.add_job(
        name="example-evaluation-two",
        status="Completed",
        model_identifiers=[MODEL_ARN],
        task_types=["QuestionAndAnswer"],
        description="A seeded model evaluation job",
    )
    return [created, seeded]


def job_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def test_list_evaluation_jobs_answers_in_the_recorded_shape(emu: BedrockEmulator, jobs: list[str]) -> None:
    expected = recorded("list_evaluation_jobs")
    [summary_shape] = {json.dumps(shape_of(s), sort_keys=True) for s in expected["jobSummaries"]}

    status, _, body = raw_request(emu, "GET", "/evaluation-jobs")

    assert status == 200
    assert set(body) == set(expected) == {"jobSummaries"}
    assert sorted(s["jobArn"] for s in body["jobSummaries"]) == sorted(jobs)
    for summary in body["jobSummaries"]:
        assert shape_of(summary) == json.loads(summary_shape)


def test_get_evaluation_job_answers_in_the_recorded_shape(emu: BedrockEmulator, jobs: list[str]) -> None:
    expected = shape_of(recorded("get_evaluation_job"))
    for arn in jobs:
        status, _, body = raw_request(emu, "GET", f"/evaluation-jobs/{job_id(arn)}")
        assert status == 200
        assert shape_of(body) == expected


def test_list_tags_for_resource_answers_in_the_recorded_shape(emu: BedrockEmulator, jobs: list[str]) -> None:
    body = json.dumps({"resourceARN": jobs[0]}).encode()
    status, _, answer = raw_request(emu, "POST", "/listTagsForResource", body)
    assert status == 200
    assert shape_of(answer) == shape_of(recorded("list_tags_for_resource"))


def test_ids_and_timestamps_look_like_the_recorded_ones(emu: BedrockEmulator, jobs: list[str]) -> None:
    _, _, body = raw_request(emu, "GET", "/evaluation-jobs")
    _, _, described = raw_request(emu, "GET", f"/evaluation-jobs/{job_id(jobs[0])}")
    ours: list[Any] = [*body["jobSummaries"], described]
    theirs: list[Any] = [*recorded("list_evaluation_jobs")["jobSummaries"], recorded("get_evaluation_job")]
    for item in ours + theirs:
        assert re.fullmatch(r"[a-z0-9]{12}", job_id(item["jobArn"]))
        for member in ("creationTime", "lastModifiedTime"):
            if member in item:
                parsed = parse_timestamp(item[member])
                assert parsed.tzinfo is not None
    # Microsecond precision, as the recorded values have (not milliseconds).
    assert {len(item["creationTime"].rsplit(".", 1)[1]) for item in ours + theirs} == {len("123456Z")}
