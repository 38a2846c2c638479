"""The janitor reads a ListEvaluationJobs page shaped like a real account's right.

The page is tests/data/recorded/list_evaluation_jobs.json (see its README): the members and
JSON types Cloud Custodian recorded from a live account. It goes through botocore's own
rest-json parser with the bedrock model, as a real response does (a Stubber would hand the
janitor Python values and skip that parsing), then through the janitor's summary reader and
its selection policy.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser

from janitor.core.selection import Leftover, SkipReason, skip_reason
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from tests.recorded import recorded
from tests.unit.fakes import policy


def parse_as_bedrock(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` as botocore hands it to a caller when the service answers it with HTTP 200."""
    model = botocore.session.get_session().get_service_model("bedrock")
    output_shape = model.operation_model(operation).output_shape
    assert output_shape is not None
    response = {
        "status_code": 200,
        "headers": {"content-type": "application/json", "x-amzn-requestid": "example-request"},
        "body": json.dumps(body).encode(),
    }
    parsed: dict[str, Any] = create_parser(model.protocol).parse(response, output_shape)
    return parsed


@pytest.fixture(scope="module")
def page() -> dict[str, Any]:
    return parse_as_bedrock("ListEvaluationJobs", recorded("list_evaluation_jobs"))


@pytest.fixture(scope="module")
def jobs(page: dict[str, Any]) -> list[Leftover]:
    return [EVALUATION_JOBS.from_summary(summary) for summary in page["jobSummaries"]]


def test_every_member_the_policy_reads_comes_through(jobs: list[Leftover]) -> None:
    raw = recorded("list_evaluation_jobs")["jobSummaries"]
    assert [(j.arn, j.name, j.status, j.application_type) for j in jobs] == [
        (s["jobArn"], s["jobName"], s["status"], s["applicationType"]) for s in raw
    ]
    # creationTime arrives as an aware datetime, to the microsecond the service sends.
    assert jobs[0].creation_time == datetime(2026, 3, 2, 9, 15, 27, 481932, tzinfo=UTC)
    assert all(j.creation_time.utcoffset() == timedelta(0) for j in jobs)


def test_selection_over_the_recorded_page(jobs: list[Leftover]) -> None:
    completed, in_progress = jobs
    assert skip_reason(completed, policy()) is None  # old, finished, not excluded: a candidate
    assert skip_reason(in_progress, policy()) is SkipReason.NOT_FINISHED
    assert all(skip_reason(j, policy()) is not SkipReason.MALFORMED for j in jobs)


def test_the_cutoff_is_exact_to_the_recorded_microsecond(jobs: list[Leftover]) -> None:
    created = jobs[0].creation_time
    assert skip_reason(jobs[0], policy(cutoff=created)) is SkipReason.TOO_RECENT
    assert skip_reason(jobs[0], policy(cutoff=created + timedelta(microseconds=1))) is None


def test_application_type_and_name_filters_apply_to_recorded_values(jobs: list[Leftover]) -> None:
    completed = jobs[0]
    rag_only = policy(application_types=frozenset({"RagEvaluation"}))
    assert skip_reason(completed, rag_only) is SkipReason.APPLICATION_TYPE_EXCLUDED
    assert (
        skip_reason(completed, policy(name_exclude_pattern=re.compile("-one$"))) is SkipReason.NAME_EXCLUDED
    )
