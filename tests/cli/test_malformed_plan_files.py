"""A malformed plan file (not JSON, a key missing or extra, a wrong type, a time without a time
zone, a bad ARN, settings the function refuses) ends `apply` in exit 2 with one line naming the
problem and saying what to do: no traceback, no request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localdev.services import REGION
from tests.cli.support import STATIC_KEYS, Offline, edit_plan, refused, valid_plan_document

NOW = datetime.now(UTC)
Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    """An edit setting the field at `path` ("targets.0.jobs.1.jobArn") to `value`."""

    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return edit


NAIVE = (NOW - timedelta(minutes=1)).replace(tzinfo=None).isoformat()


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (_set("createdAt", NAIVE), "createdAt: '" + NAIVE + "' has no time zone"),
        (
            _set("targets.0.jobs.0.creationTime", "2024-01-01T00:00:00"),
            "creationTime: '2024-01-01T00:00:00' has no time zone",
        ),
        (_set("createdAt", "yesterday"), "createdAt: 'yesterday' is not an ISO 8601 date-time"),
        (_delete("settings.retainTagKey"), "settings.retainTagKey: Field required"),
        (_delete("targets.1.jobs.2.applicationType"), "targets[1].jobs[2].applicationType: Field required"),
        (_set("settings.olderThanDays", "30"), "settings.olderThanDays: Input should be a valid integer"),
        (_set("settings.olderThanDays", 30.0), "settings.olderThanDays: Input should be a valid integer"),
        (_set("targets.0.profile", 7), "targets[0].profile: Input should be a valid string"),
        (_set("targets.0.jobs", {}), "targets[0].jobs: Input should be a valid list"),
        (_set("targets.0.extra", True), "targets[0].extra: Extra inputs are not permitted"),
        (
            _set("targets.0.jobs.0.jobArn", "arn:aws:s3:::bucket"),
            "'arn:aws:s3:::bucket' is not an evaluation job's ARN",
        ),
        (
            _set(
                "targets.0.jobs.0.jobArn",
                "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/000000000000\n",
            ),
            "is not an evaluation job's ARN",
        ),
        (_set("targets.0.accountId", "12345678901٣"), "is not a 12-digit account id"),
        (
            _set(
                "targets.0.jobs.0.jobArn",
                "arn:aws:bedrock:eu-west-1:123456789012:evaluation-job/aaaaaaaaaaaa",
            ),
            "which is not an evaluation job of 123456789012 us-east-1",
        ),
        (_set("targets.0.jobs.1", valid_plan_document(NOW)["targets"][0]["jobs"][0]), "twice"),
        (_set("settings.olderThanDays", 0), "--older-than-days"),
        (_set("settings.applicationTypes", ["ModelEvaluation,RagEvaluation"]), "not as `plan` writes them"),
        (_set("settings.eligibleStatuses", ["Completed", "InProgress"]), "InProgress cannot be cleaned up"),
        (_set("createdAt", (NOW + timedelta(hours=1)).isoformat()), "in the future"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_malformed_field_is_named_with_what_to_do(offline: Offline, edit: Edit, named: str) -> None:
    """With the digest recomputed (the checks behind it are what is tested)."""
    document = valid_plan_document(NOW)
    edit(document)
    plan_file = offline.home / "plan.json"
    edit_plan(plan_file, document)

    line = refused(offline, "apply", str(plan_file), "--yes")

    assert named in line
    assert "bedrock-eval-janitor plan" in line or "clock" in line


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"", "is not a plan (not JSON"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 3', "is not a plan (not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "is not a bedrock-eval-janitor plan"),
        (b'{"kind": "something-else"}', "is not a bedrock-eval-janitor plan"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 1}', "is a plan of version 1"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 2}', "is a plan of version 2"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 2.0}', "is a plan of version 2.0"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 3}', "is a plan of version 3"),
        (b'{"kind": "bedrock-eval-janitor-plan", "version": 4}', "the plan changed after it was written"),
        (b"[" * 100_000, "is not a plan (not JSON"),
    ],
    ids=[
        "empty",
        "truncated",
        "binary",
        "a list",
        "another kind",
        "version 1",
        "version 2, whose settings had other names",
        "version 2.0",
        "version 3, whose items had no kind",
        "no digest",
        "deep",
    ],
)
def test_a_file_that_is_no_plan_is_refused_in_one_line(offline: Offline, content: bytes, named: str) -> None:
    plan_file = offline.home / "plan.json"
    plan_file.write_bytes(content)

    assert named in refused(offline, "apply", str(plan_file), "--yes")


def test_a_missing_plan_file_says_how_to_make_one(offline: Offline) -> None:
    line = refused(offline, "apply", str(offline.home / "nowhere.json"), "--yes")

    assert "cannot read the plan" in line
    assert "No such file or directory" in line
    assert "bedrock-eval-janitor plan --out FILE" in line


def test_a_valid_plan_gets_past_every_check_to_the_account_check(offline: Offline) -> None:
    """The control for the tests above: the same plan, unedited, reaches STS."""
    offline.configure(
        f"[default]\nregion = {REGION}\n[profile ops]\n",
        STATIC_KEYS + "\n[ops]\naws_access_key_id = a\naws_secret_access_key = b\n",
    )
    plan_file = offline.home / "plan.json"
    edit_plan(plan_file, valid_plan_document(NOW))

    offline("apply", str(plan_file), "--yes")

    assert any("sts" in url for url in offline.requests)
