"""ListEvaluationJobs through the real boto3 client: order, filters, pagination and nextToken."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ParamValidationError

from emulator import BedrockEmulator
from tests.emulator.support import MISSING_ARN, T0, error_code, names, raw_request

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

    from tests.emulator.conftest import ClientFactory


def b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.fixture
def listed(emu: BedrockEmulator) -> dict[str, str]:
    """Six jobs one hour apart from T0, named after what the filters should pick."""
    specs = [
        ("alpha-model-completed", "Completed", "ModelEvaluation"),
        ("beta-rag-failed", "Failed", "RagEvaluation"),
        ("gamma-model-inprogress", "InProgress", "ModelEvaluation"),
        ("delta-rag-completed", "Completed", "RagEvaluation"),
        ("keep-model-stopped", "Stopped", "ModelEvaluation"),
        ("epsilon-model-stopping", "Stopping", "ModelEvaluation"),
    ]
    return {
        name: emu.add_job(
            name=name,
            status=status,
            creation_time=T0 + timedelta(hours=i),
            application_type=app_type,
        )
        for i, (name, status, app_type) in enumerate(specs)
    }


@pytest.mark.usefixtures("listed")
def test_list_defaults_to_newest_first(client: BedrockClient) -> None:
    response = client.list_evaluation_jobs()
    assert names(response["jobSummaries"]) == [
        "epsilon-model-stopping",
        "keep-model-stopped",
        "delta-rag-completed",
        "gamma-model-inprogress",
        "beta-rag-failed",
        "alpha-model-completed",
    ]
    assert "nextToken" not in response
    summary = response["jobSummaries"][-1]
    assert set(summary) >= {
        "jobArn", "jobName", "status", "creationTime", "jobType",
        "applicationType", "evaluationTaskTypes", "modelIdentifiers",
    }  # fmt: skip
    assert summary["creationTime"] == T0


@pytest.mark.usefixtures("listed")
def test_list_sort_orders(client: BedrockClient) -> None:
    ascending = client.list_evaluation_jobs(sortBy="CreationTime", sortOrder="Ascending")["jobSummaries"]
    descending = client.list_evaluation_jobs(sortBy="CreationTime", sortOrder="Descending")["jobSummaries"]
    assert names(ascending) == names(descending)[::-1]
    assert names(ascending)[0] == "alpha-model-completed"


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Strictly after / before: a job created exactly at the bound is left out.
        ({"creationTimeAfter": T0 + timedelta(hours=3)}, ["epsilon-model-stopping", "keep-model-stopped"]),
        ({"creationTimeBefore": T0 + timedelta(hours=1)}, ["alpha-model-completed"]),
        (
            {"creationTimeAfter": T0, "creationTimeBefore": T0 + timedelta(hours=3)},
            ["gamma-model-inprogress", "beta-rag-failed"],
        ),
        (
            {"creationTimeAfter": T0 + timedelta(minutes=59, seconds=59, microseconds=999_999)},
            [
                "epsilon-model-stopping",
                "keep-model-stopped",
                "delta-rag-completed",
                "gamma-model-inprogress",
                "beta-rag-failed",
            ],
        ),
        ({"statusEquals": "Completed"}, ["delta-rag-completed", "alpha-model-completed"]),
        ({"statusEquals": "Deleting"}, []),
        ({"applicationTypeEquals": "RagEvaluation"}, ["delta-rag-completed", "beta-rag-failed"]),
        (
            {"nameContains": "model"},
            [
                "epsilon-model-stopping",
                "keep-model-stopped",
                "gamma-model-inprogress",
                "alpha-model-completed",
            ],
        ),
        ({"nameContains": "keep"}, ["keep-model-stopped"]),
        (
            {
                "statusEquals": "Completed",
                "applicationTypeEquals": "ModelEvaluation",
                "nameContains": "alpha",
            },
            ["alpha-model-completed"],
        ),
    ],
)
def test_list_filters(client: BedrockClient, params: dict[str, Any], expected: list[str]) -> None:
    assert names(client.list_evaluation_jobs(**params)["jobSummaries"]) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"maxResults": 1001},
        {"statusEquals": "Running"},
        {"sortOrder": "Sideways"},
        {"nameContains": "UPPER"},
        {"nextToken": "not-a-token"},
        {"nextToken": "eyJhIjogMX0"},  # {"a": 1} in base64 without its padding
        {"nextToken": b64({"a": 1})},  # valid base64 of an object this emulator never issued
        {"nextToken": b64({"k": [0, "not-an-arn"], "o": "D", "v": 1})},
        {"nextToken": b64({"k": [0, MISSING_ARN], "o": "D", "v": 2})},
        {"nextToken": b64({"k": [True, MISSING_ARN], "o": "D", "v": 1})},
        {"nextToken": b64([0, MISSING_ARN])},
        {"nextToken": b64({"k": [0, MISSING_ARN], "o": "D", "v": 1}) + "x" * 2048},
    ],
)
def test_list_rejects_invalid_parameters(client: BedrockClient, params: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.ValidationException) as exc:
        client.list_evaluation_jobs(**params)
    assert error_code(exc) == ("ValidationException", 400)


def test_list_max_results_below_one(client: BedrockClient, make_client: ClientFactory) -> None:
    # botocore checks the model's minimum itself (but never the maximum) ...
    with pytest.raises(ParamValidationError):
        client.list_evaluation_jobs(maxResults=0)
    # ... so the emulator's own check is only reachable with client validation off.
    unchecked = make_client(parameter_validation=False)
    with pytest.raises(unchecked.exceptions.ValidationException):
        unchecked.list_evaluation_jobs(maxResults=0)


def test_list_empty(client: BedrockClient) -> None:
    response = client.list_evaluation_jobs()
    assert response["jobSummaries"] == []
    assert "nextToken" not in response


def test_paginator_visits_2500_jobs_once_in_three_pages(emu: BedrockEmulator, client: BedrockClient) -> None:
    arns = {emu.add_job(creation_time=T0 + timedelta(seconds=i % 1700)) for i in range(2500)}

    pages = list(client.get_paginator("list_evaluation_jobs").paginate(PaginationConfig={"PageSize": 1000}))

    assert [len(p["jobSummaries"]) for p in pages] == [1000, 1000, 500]
    assert "nextToken" not in pages[-1]
    listed = [s["jobArn"] for p in pages for s in p["jobSummaries"]]
    assert len(listed) == len(set(listed)) == 2500
    assert set(listed) == arns
    times = [s["creationTime"] for p in pages for s in p["jobSummaries"]]
    assert times == sorted(times, reverse=True)


def test_exact_multiple_of_page_size_ends_without_token(emu: BedrockEmulator, client: BedrockClient) -> None:
    for i in range(4):
        emu.add_job(creation_time=T0 + timedelta(minutes=i))
    first = client.list_evaluation_jobs(maxResults=2)
    second = client.list_evaluation_jobs(maxResults=2, nextToken=first["nextToken"])
    assert len(second["jobSummaries"]) == 2
    assert "nextToken" not in second


@pytest.mark.parametrize("sort_order", ["Ascending", "Descending"])
@pytest.mark.parametrize("deleting_seconds", [0.0, 60.0])
def test_pagination_is_stable_when_jobs_are_deleted_between_pages(
    emu: BedrockEmulator, client: BedrockClient, sort_order: Any, deleting_seconds: float
) -> None:
    emu.deleting_seconds = deleting_seconds
    arns = [emu.add_job(creation_time=T0 + timedelta(minutes=i)) for i in range(30)]
    if sort_order == "Descending":
        arns.reverse()
    first = client.list_evaluation_jobs(maxResults=10, sortOrder=sort_order)
    assert [s["jobArn"] for s in first["jobSummaries"]] == arns[:10]

    # Delete the tail of page one and the head of page two: an offset cursor would skip jobs.
    gone = arns[5:15]
    assert client.batch_delete_evaluation_job(jobIdentifiers=gone)["errors"] == []
    rest: list[tuple[str, str]] = []
    token = first.get("nextToken")
    while token:
        page = client.list_evaluation_jobs(maxResults=10, sortOrder=sort_order, nextToken=token)
        rest += [(s["jobArn"], s["status"]) for s in page["jobSummaries"]]
        token = page.get("nextToken")
    if deleting_seconds == 0:
        assert rest == [(a, "Completed") for a in arns[15:]]
    else:  # still listed, as Deleting, where they were: nothing skipped, nothing repeated
        assert rest == [(a, "Deleting") for a in arns[10:15]] + [(a, "Completed") for a in arns[15:]]


def test_token_from_other_sort_order_is_rejected(emu: BedrockEmulator, client: BedrockClient) -> None:
    for i in range(3):
        emu.add_job(creation_time=T0 + timedelta(minutes=i))
    token = client.list_evaluation_jobs(maxResults=1, sortOrder="Ascending")["nextToken"]
    with pytest.raises(client.exceptions.ValidationException):
        client.list_evaluation_jobs(maxResults=1, sortOrder="Descending", nextToken=token)


def test_next_token_is_padded_base64_of_a_json_object_holding_the_cursor(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    arns = [emu.add_job(creation_time=T0 + timedelta(minutes=i)) for i in range(3)]

    status, _, body = raw_request(emu, "GET", "/evaluation-jobs?maxResults=2&sortOrder=Ascending")

    assert status == 200
    token = body["nextToken"]
    # Standard alphabet with its padding, as AWS's base64 tokens are; no whitespace (the model's \S*).
    decoded = json.loads(base64.b64decode(token, validate=True))
    assert base64.b64encode(base64.b64decode(token)).decode() == token
    # The cursor is the last job returned, (creationTime in microseconds, ARN), not an offset.
    created_us = int((T0 + timedelta(minutes=1)).timestamp()) * 1_000_000
    assert decoded == {"k": [created_us, arns[1]], "o": "A", "v": 1}
    assert [s["jobArn"] for s in body["jobSummaries"]] == arns[:2]
    # Sent back as nextToken, it resumes after that job.
    rest = client.list_evaluation_jobs(maxResults=2, sortOrder="Ascending", nextToken=token)
    assert [s["jobArn"] for s in rest["jobSummaries"]] == arns[2:]


def test_botocore_paginator_cannot_take_the_service_token_as_its_starting_token(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    """Why callers must resume with nextToken: botocore decodes a StartingToken as its own format."""
    for i in range(3):
        emu.add_job(creation_time=T0 + timedelta(minutes=i))
    token = client.list_evaluation_jobs(maxResults=1)["nextToken"]

    pages = client.get_paginator("list_evaluation_jobs").paginate(
        PaginationConfig={"PageSize": 1, "StartingToken": token}
    )
    with pytest.raises(ParamValidationError, match="Unknown parameter"):
        next(iter(pages))
