import re
from datetime import datetime, timedelta

import pytest

from janitor.core.selection import (
    Leftover,
    SkipReason,
    batched,
    is_protected,
    retention_cutoff,
    skip_reason,
)
from tests.unit.fakes import NOW, policy

ARN = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/abcdef123456"


def job(**changes: object) -> Leftover:
    values: dict[str, object] = {
        "arn": ARN,
        "name": "nightly-eval",
        "status": "Completed",
        "creation_time": NOW - timedelta(days=31),
        "application_type": "ModelEvaluation",
    }
    values.update(changes)
    return Leftover(**values)  # type: ignore[arg-type]


def test_an_old_finished_job_is_a_candidate() -> None:
    assert skip_reason(job(), policy()) is None


@pytest.mark.parametrize("status", ["InProgress", "Stopping", "Deleting"])
def test_unfinished_jobs_are_refused_even_when_the_policy_lists_their_status(status: str) -> None:
    permissive = policy(statuses=frozenset({status, "Completed"}))
    assert skip_reason(job(status=status), permissive) is SkipReason.NOT_FINISHED


def test_a_finished_status_left_out_of_the_settings_is_excluded() -> None:
    assert (
        skip_reason(job(status="Failed"), policy(statuses=frozenset({"Completed"})))
        is SkipReason.STATUS_EXCLUDED
    )


def test_a_job_exactly_at_the_retention_boundary_is_too_recent() -> None:
    boundary = retention_cutoff(NOW, 30)
    assert skip_reason(job(creation_time=boundary), policy()) is SkipReason.TOO_RECENT
    assert skip_reason(job(creation_time=boundary - timedelta(microseconds=1)), policy()) is None


def test_name_exclusion_matches_anywhere_in_the_name() -> None:
    keep = policy(name_exclude_pattern=re.compile("^keep-|baseline"))
    assert skip_reason(job(name="keep-me"), keep) is SkipReason.NAME_EXCLUDED
    assert skip_reason(job(name="q3-baseline-run"), keep) is SkipReason.NAME_EXCLUDED
    assert skip_reason(job(name="scratch"), keep) is None


def test_application_type_filter() -> None:
    only_model = policy(application_types=frozenset({"ModelEvaluation"}))
    assert (
        skip_reason(job(application_type="RagEvaluation"), only_model) is SkipReason.APPLICATION_TYPE_EXCLUDED
    )


def test_a_kind_without_application_types_is_not_filtered_by_them() -> None:
    only_model = policy(application_types=frozenset({"ModelEvaluation"}))
    assert skip_reason(job(application_type=None), only_model) is None


@pytest.mark.parametrize(
    "broken",
    [
        {"arn": ""},
        {"arn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef123456"},
        {"arn": ARN.upper()},
        {"status": "Exploded"},
        {"creation_time": datetime(2020, 1, 1)},
    ],
)
def test_malformed_summaries_are_never_candidates(broken: dict[str, object]) -> None:
    assert skip_reason(job(**broken), policy()) is SkipReason.MALFORMED


@pytest.mark.parametrize("value", ["true", "TRUE", "True", " true "])
def test_the_retain_tag_protects_in_any_case(value: str) -> None:
    assert is_protected({"janitor:retain": value}, "janitor:retain")


def test_the_retain_tag_key_matches_in_any_case_like_iam_condition_keys() -> None:
    assert is_protected({"Janitor:Retain": "true"}, "janitor:retain")


@pytest.mark.parametrize(
    "tags", [{}, {"janitor:retain": "false"}, {"janitor:retain": "yes"}, {"retain": "true"}]
)
def test_other_tags_do_not_protect(tags: dict[str, str]) -> None:
    assert not is_protected(tags, "janitor:retain")


def test_batches_hold_at_most_25_and_are_never_empty() -> None:
    assert [len(batch) for batch in batched(range(51), 25)] == [25, 25, 1]
    assert list(batched([], 25)) == []
