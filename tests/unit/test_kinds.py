"""Each kind of leftover is declared in one place (janitor.kinds), and its declaration matches the
API as botocore's own model describes it, so a kind cannot name a call or a parameter that does
not exist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from janitor.core.kind import Kind
from janitor.kinds import KINDS

KIND_LIST = list(KINDS.values())


def input_members(kind: Kind, operation: str) -> set[str]:
    shape = (
        botocore.session.get_session().get_service_model(kind.service).operation_model(operation).input_shape
    )
    assert shape is not None
    return set(shape.members)


def output_members(kind: Kind, operation: str) -> set[str]:
    shape = (
        botocore.session.get_session().get_service_model(kind.service).operation_model(operation).output_shape
    )
    assert shape is not None
    return set(shape.members)


def test_every_kind_is_registered_under_its_own_name() -> None:
    assert {kind.name: kind for kind in KIND_LIST} == KINDS
    assert "evaluationJobs" in KINDS


@pytest.mark.parametrize("kind", KIND_LIST, ids=lambda kind: kind.name)
def test_a_kinds_calls_and_parameters_are_the_apis_own(kind: Kind) -> None:
    operations = set(botocore.session.get_session().get_service_model(kind.service).operation_names)
    assert {kind.list_operation, kind.get_operation, kind.delete_operation} <= operations
    query: dict[str, Any] = kind.list_query(datetime(2026, 1, 1, tzinfo=UTC), None)
    assert set(query) <= input_members(kind, kind.list_operation)
    assert kind.summaries_key in output_members(kind, kind.list_operation)
    assert set(kind.get_request("arn")) <= input_members(kind, kind.get_operation)
    if kind.tags_operation is not None:
        assert kind.tags_operation in operations
        assert set(kind.tags_request("arn")) <= input_members(kind, kind.tags_operation)
    assert set(kind.delete_request(["arn"])) <= input_members(kind, kind.delete_operation)


@pytest.mark.parametrize("kind", KIND_LIST, ids=lambda kind: kind.name)
def test_a_kind_is_finished_only_in_states_it_documents_and_never_in_an_unfinished_one(kind: Kind) -> None:
    assert kind.finished_statuses
    assert not kind.finished_statuses & kind.unfinished_statuses
    assert kind.delete_batch_size >= 1
    assert kind.iam_action(kind.delete_operation) == f"{kind.service}:{kind.delete_operation}"


@pytest.mark.parametrize("kind", KIND_LIST, ids=lambda kind: kind.name)
def test_a_kinds_states_are_the_ones_its_list_answer_documents(kind: Kind) -> None:
    summaries = output_members(kind, kind.list_operation)
    assert kind.summaries_key in summaries
    model = botocore.session.get_session().get_service_model(kind.service)
    output: Any = model.operation_model(kind.list_operation).output_shape
    summary_shape = output.members[kind.summaries_key].member
    status = next(name for name in ("status", "jobStatus") if name in summary_shape.members)
    assert kind.known_statuses == set(summary_shape.members[status].enum)


#: One identifier of each kind, as its service writes it.
SAMPLE_IDS = {
    "evaluationJobs": "abcdefghij12",
    "promptOptimizationJobs": "abcdefghij12",
    "batchEvaluations": "nightly_run-Ab12Cd34Ef",
}


@pytest.mark.parametrize("kind", KIND_LIST, ids=lambda kind: kind.name)
def test_a_kinds_identifier_is_only_its_own(kind: Kind) -> None:
    own = f"arn:aws:{kind.service}:us-east-1:123456789012:{kind.arn_resource_type}/{SAMPLE_IDS[kind.name]}"
    assert kind.arn_pattern.match(own)
    others = [
        f"arn:aws:{other.service}:us-east-1:123456789012:{other.arn_resource_type}/{SAMPLE_IDS[other.name]}"
        for other in KIND_LIST
        if other is not kind
    ]
    if kind.service == "bedrock":
        others.append(
            f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{SAMPLE_IDS[kind.name]}"
        )
    assert not any(kind.arn_pattern.match(other) for other in others)
