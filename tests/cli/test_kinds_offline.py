"""`--kinds` and a plan file's kinds, checked before any request: an unknown kind is refused by
the settings model; each planned item must name a known kind, one the plan was made for, with an
ARN of that kind (an evaluation job's only with an application type), or the plan is refused in
one line; a well-formed plan over every kind gets past every check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from janitor.kinds import KINDS
from localdev.services import ACCOUNT_ID, REGION
from tests.cli.support import STATIC_KEYS, Offline, edit_plan, refused, valid_plan_document

NOW = datetime.now(UTC)


@pytest.mark.parametrize("kinds", ["reports", "evaluationJobs,reports", ""])
def test_an_unknown_kind_is_refused_by_the_settings_model(offline: Offline, kinds: str) -> None:
    line = refused(offline, "plan", "--region", REGION, "--kinds", kinds)

    assert "--kinds" in line
    assert "choose from evaluationJobs, promptOptimizationJobs, batchEvaluations" in line


PROMPT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:advanced-prompt-optimization-job/abcdefabcdef"
BATCH_ARN = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT_ID}:batch-evaluate/nightly-AbCdEfGhIj"
Edit = Callable[[dict[str, Any]], None]


def _first_job(**fields: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        document["settings"]["kinds"] = list(KINDS)
        document["targets"][0]["jobs"][0] |= fields

    return edit


def _all_kinds(document: dict[str, Any]) -> None:
    document["settings"]["kinds"] = ["batchEvaluations", "evaluationJobs"]


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (_first_job(kind="reports"), "'reports' is not a kind of leftover"),
        (_first_job(kind="promptOptimizationJobs"), "is not a prompt optimization job's ARN"),
        (_first_job(kind="batchEvaluations"), "is not a batch evaluation's ARN"),
        (_first_job(jobArn=PROMPT_ARN), "is not an evaluation job's ARN"),
        (_first_job(applicationType=None), "an evaluation job needs application type"),
        (
            _first_job(kind="batchEvaluations", jobArn=BATCH_ARN, status="COMPLETED"),
            "a batch evaluation has no application type",
        ),
        (
            lambda document: document["targets"][0]["jobs"][0].update(
                kind="batchEvaluations", jobArn=BATCH_ARN, status="COMPLETED", applicationType=None
            ),
            "a batch evaluation, but it was made for evaluationJobs only",
        ),
        (
            _first_job(kind="batchEvaluations", jobArn=BATCH_ARN, status="Completed", applicationType=None),
            "would not have selected (malformed)",
        ),
        (_all_kinds, "the plan's settings are not as `plan` writes them"),
        (lambda document: document["settings"].pop("kinds"), "settings.kinds: Field required"),
        (lambda document: document["targets"][0]["jobs"][0].pop("kind"), "jobs[0].kind: Field required"),
    ],
    ids=[
        "unknown kind",
        "evaluation job ARN as a prompt optimization job",
        "evaluation job ARN as a batch evaluation",
        "prompt optimization ARN as an evaluation job",
        "evaluation job without application type",
        "batch evaluation with an application type",
        "a kind the plan was not made for",
        "a batch evaluation in an evaluation job's status",
        "kinds out of run order",
        "no kinds setting",
        "no kind",
    ],
)
def test_a_plan_item_of_no_kind_or_another_kind_is_refused(offline: Offline, edit: Edit, named: str) -> None:
    """With the digest recomputed: the checks behind it are what refuse the plan."""
    document = valid_plan_document(NOW)
    edit(document)
    plan_file = offline.home / "plan.json"
    edit_plan(plan_file, document)

    assert named in refused(offline, "apply", str(plan_file), "--yes")


def test_a_plan_of_every_kind_gets_past_every_check(offline: Offline) -> None:
    """The control: a well-formed plan over every kind reaches the account check (STS)."""
    offline.configure(
        f"[default]\nregion = {REGION}\n[profile ops]\n",
        STATIC_KEYS + "\n[ops]\naws_access_key_id = a\naws_secret_access_key = b\n",
    )
    document = valid_plan_document(NOW)
    document["settings"]["kinds"] = list(KINDS)
    created = (NOW - timedelta(days=50)).isoformat()
    document["targets"][0]["jobs"] += [
        {"kind": "promptOptimizationJobs", "jobArn": PROMPT_ARN, "jobName": "p", "status": "Completed",
         "creationTime": created, "applicationType": None},
        {"kind": "batchEvaluations", "jobArn": BATCH_ARN, "jobName": "b", "status": "COMPLETED",
         "creationTime": created, "applicationType": None},
    ]  # fmt: skip
    plan_file = offline.home / "plan.json"
    edit_plan(plan_file, document)

    offline("apply", str(plan_file), "--yes")

    assert any("sts" in url for url in offline.requests)
