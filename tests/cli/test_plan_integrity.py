"""A plan is applied only as it was made: against the emulator, a plan edited as an attacker would
(the retain key changed, retained or unselectable jobs added, the digest recomputed or not) never
deletes a retained job; `apply` judges with its own --retain-tag-key; the confirmation shows
where, with which settings, and which jobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from localdev.services import ACCOUNT_ID, REGION
from tests.cli.support import OLD, Cli, arns_of, edit_plan, one_line_error, seed

Attack = Callable[[dict[str, Any], list[dict[str, Any]]], None]


def _listed(cli: Cli, arn: str, name: str) -> dict[str, Any]:
    """A job as a plan records it, with its true fields (as an attacker can read them)."""
    job = cli.local.client("bedrock").get_evaluation_job(jobIdentifier=arn)
    return {
        "kind": "evaluationJobs",
        "jobArn": arn,
        "jobName": name,
        "status": job["status"],
        "creationTime": job["creationTime"].isoformat(),
        "applicationType": job.get("applicationType", "ModelEvaluation"),
    }


def _change_retain_key(document: dict[str, Any], retained: list[dict[str, Any]]) -> None:
    document["settings"]["retainTagKey"] = "attacker:nothing"
    document["targets"][0]["jobs"] += retained


def _append(document: dict[str, Any], retained: list[dict[str, Any]]) -> None:
    document["targets"][0]["jobs"] += retained


def _replace(document: dict[str, Any], retained: list[dict[str, Any]]) -> None:
    document["targets"][0]["jobs"] = retained


@pytest.mark.parametrize(
    ("attack", "recompute", "refusal"),
    [
        (_change_retain_key, True, "the plan was made with --retain-tag-key attacker:nothing"),
        (_change_retain_key, False, "the plan changed after it was written"),
        (_append, False, "the plan changed after it was written"),
        (_replace, False, "the plan changed after it was written"),
        (_append, True, None),
        (_replace, True, None),
    ],
    ids=[
        "retain key changed, digest recomputed",
        "retain key changed, digest kept",
        "retained jobs appended, digest kept",
        "jobs replaced by retained ones, digest kept",
        "retained jobs appended, digest recomputed",
        "jobs replaced by retained ones, digest recomputed",
    ],
)
def test_an_edited_plan_never_deletes_a_retained_job(
    cli: Cli, tmp_path: Path, attack: Attack, recompute: bool, refusal: str | None
) -> None:
    jobs = seed(cli.local)
    jobs["vault"] = cli.local.bedrock.add_job("vault", "Failed", OLD, tags={"janitor:retain": "TRUE"})
    plan_file = tmp_path / "plan.json"
    assert (
        cli("plan", "--region", REGION, "--name-exclude-regex", "^keep-", "--out", str(plan_file)).exit_code
        == 0
    )
    document = json.loads(plan_file.read_text())
    attack(document, [_listed(cli, jobs[name], name) for name in ("golden", "vault")])
    edit_plan(plan_file, document, recompute_digest=recompute)
    cli.local.bedrock.reset_counts()

    applied = cli("apply", str(plan_file), "--yes", "--output", "json")

    surviving = cli.local.bedrock.surviving_job_arns()
    assert jobs["golden"] in surviving
    assert jobs["vault"] in surviving
    if refusal is not None:
        assert applied.exit_code == 2
        assert refusal in one_line_error(applied)
        assert cli.local.bedrock.request_counts() == {}, "refused before any Bedrock request"
        assert sorted(surviving) == sorted(jobs.values()), "nothing deleted"
    else:
        assert applied.exit_code == 0, applied.output
        result = json.loads(applied.stdout)
        assert sorted(arns_of(result["skippedJobs"]["protected"])) == sorted([jobs["golden"], jobs["vault"]])
        assert set(arns_of(result["deletedJobs"])) <= {jobs["sweep-a"], jobs["sweep-b"], jobs["sweep-c"]}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ("a recent job added", "tooRecent"),
        ("a name-excluded job added", "nameExcluded"),
        ("a job's status made InProgress", "notFinished"),
        ("a RAG job added to a ModelEvaluation plan", "applicationTypeExcluded"),
    ],
)
def test_a_plan_listing_a_job_its_settings_would_not_select_is_refused(
    cli: Cli, tmp_path: Path, edit: str, reason: str
) -> None:
    jobs = seed(cli.local)
    jobs["rag"] = cli.local.bedrock.add_job("rag", "Completed", OLD, application_type="RagEvaluation")
    plan_file = tmp_path / "plan.json"
    options = ["--name-exclude-regex", "^keep-", "--application-types", "ModelEvaluation"]
    assert cli("plan", "--region", REGION, *options, "--out", str(plan_file)).exit_code == 0
    document = json.loads(plan_file.read_text())
    listed = document["targets"][0]["jobs"]
    if edit == "a job's status made InProgress":
        cli.local.bedrock.set_status(jobs["sweep-a"], "InProgress")
        listed[0]["status"] = "InProgress"
    else:
        name = {"tooRecent": "fresh", "nameExcluded": "keep-me", "applicationTypeExcluded": "rag"}[reason]
        listed.append(_listed(cli, jobs[name], name))
    edit_plan(plan_file, document)  # the digest recomputed: the re-selection is what refuses it
    cli.local.bedrock.reset_counts()

    applied = cli("apply", str(plan_file), "--yes")

    assert applied.exit_code == 2
    line = one_line_error(applied)
    assert f"which its own settings would not have selected ({reason})" in line
    assert "the plan changed after it was written" in line
    assert cli.local.bedrock.request_counts() == {}
    assert sorted(cli.local.bedrock.surviving_job_arns()) == sorted(jobs.values())


def test_more_jobs_than_the_plans_cap_is_refused(cli: Cli, tmp_path: Path) -> None:
    jobs = seed(cli.local)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--max-deletions", "2", "--out", str(plan_file)).exit_code == 0
    document = json.loads(plan_file.read_text())
    listed = {job["jobArn"] for job in document["targets"][0]["jobs"]}
    extra = next(name for name in ("sweep-a", "sweep-b", "sweep-c") if jobs[name] not in listed)
    document["targets"][0]["jobs"].append(_listed(cli, jobs[extra], extra))
    edit_plan(plan_file, document)
    cli.local.bedrock.reset_counts()

    applied = cli("apply", str(plan_file), "--yes")

    assert applied.exit_code == 2
    assert "more than its maxDeletions (2)" in one_line_error(applied)
    assert cli.local.bedrock.request_counts() == {}


def test_apply_keeps_jobs_by_its_own_retain_key_and_refuses_a_plan_made_with_another(
    cli: Cli, tmp_path: Path
) -> None:
    jobs = seed(cli.local)
    team = cli.local.bedrock.add_job("team-held", "Completed", OLD, tags={"team:keep": "true"})
    plan_file = tmp_path / "plan.json"
    made = cli("plan", "--region", REGION, "--retain-tag-key", "team:keep", "--out", str(plan_file))
    assert made.exit_code == 0
    cli.local.bedrock.reset_counts()

    without_key = cli("apply", str(plan_file), "--yes")
    requests_then = cli.local.bedrock.request_counts()
    # Between the plan and the apply, someone tags a planned job with the key apply checks.
    cli.local.client("bedrock").tag_resource(
        resourceARN=jobs["sweep-a"], tags=[{"key": "team:keep", "value": "true"}]
    )
    with_key = cli("apply", str(plan_file), "--yes", "--retain-tag-key", "team:keep", "--output", "json")

    assert without_key.exit_code == 2
    assert one_line_error(without_key) == (
        "error: the plan was made with --retain-tag-key team:keep, but apply keeps jobs tagged "
        "janitor:retain=true: pass --retain-tag-key team:keep to apply if that is the key your account "
        "uses, or make a new plan"
    )
    assert requests_then == {}
    assert with_key.exit_code == 0, with_key.output
    result = json.loads(with_key.stdout)
    assert result["skippedJobs"] == {"protected": [{"kind": "evaluationJobs", "jobArn": jobs["sweep-a"]}]}
    assert team in cli.local.bedrock.surviving_job_arns()
    assert jobs["sweep-a"] in cli.local.bedrock.surviving_job_arns()


@pytest.mark.parametrize("show_jobs", [False, True], ids=["first 10", "--show-jobs"])
def test_the_confirmation_shows_where_with_which_settings_and_which_jobs(
    cli: Cli, tmp_path: Path, show_jobs: bool
) -> None:
    for index in range(12):
        cli.local.bedrock.add_job(f"bulk-{index:02d}", "Completed", OLD - timedelta(hours=index))
    plan_file = tmp_path / "plan.json"
    cli(
        "plan",
        "--region",
        REGION,
        "--older-than-days",
        "20",
        "--name-exclude",
        "^keep-",
        "--out",
        str(plan_file),
    )
    names = [job["jobName"] for job in json.loads(plan_file.read_text())["targets"][0]["jobs"]]

    declined = cli("apply", str(plan_file), *(["--show-jobs"] if show_jobs else []), input="n\n")

    assert declined.exit_code == 0
    shown = declined.stderr
    assert f"Account {ACCOUNT_ID}, Region {REGION}: 12 jobs" in shown
    assert "older than 20 days" in shown
    assert "names excluded: '^keep-'" in shown
    assert "jobs tagged janitor:retain=true are kept" in shown
    assert all(name in shown for name in names[:10])
    if show_jobs:
        assert all(name in shown for name in names)
        assert "more (--show-jobs" not in shown
    else:
        assert not any(name in shown for name in names[10:])
        assert "... and 2 more (--show-jobs lists them all)" in shown
    assert "Delete 12 evaluation jobs?" in shown
    assert "BatchDeleteEvaluationJob" not in cli.local.bedrock.request_counts()
