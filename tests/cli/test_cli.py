"""`bedrock-eval-janitor` against the Bedrock emulator over HTTP: the standard endpoint variables
redirect its clients, and profiles come from a temporary AWS_CONFIG_FILE and credentials file
(moto's STS tells each profile's account, as AWS's would)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localdev.services import ACCOUNT_ID, REGION
from tests.cli.support import OLD, OTHER_ACCOUNT, Cli, arns_of, edit_plan, planned_arns, seed
from tests.conftest import Invoker


def test_plan_lists_what_would_go_in_table_json_and_csv(cli: Cli) -> None:
    jobs = seed(cli.local)

    document = cli.json("plan", "--region", REGION, "--name-exclude-regex", "^keep-", "--show-kept")
    table = cli("plan", "--region", REGION, "--name-exclude-regex", "^keep-")
    rows = list(
        csv.DictReader(io.StringIO(cli("plan", "--region", REGION, "--output", "csv", "--show-kept").stdout))
    )

    assert sorted(planned_arns(document)) == sorted(jobs[name] for name in ("sweep-a", "sweep-b", "sweep-c"))
    [target] = document["targets"]
    assert (target["accountId"], target["region"]) == (ACCOUNT_ID, REGION)
    assert target["skipped"] == {"nameExcluded": 1, "protected": 1}
    assert {(job["name"], job["reason"]) for job in target["kept"]} == {
        ("golden", "protected"),
        ("keep-me", "nameExcluded"),
    }
    assert table.exit_code == 0
    for name in ("sweep-a", "sweep-b", "sweep-c", "nameExcluded", "protected"):
        assert name in table.stdout
    assert {(row["action"], row["name"]) for row in rows} == {
        ("delete", "sweep-a"), ("delete", "sweep-b"), ("delete", "sweep-c"), ("delete", "keep-me"), ("keep", "golden")
    }  # fmt: skip
    assert all(row["age_days"] in {"40", "41", "42"} for row in rows)
    assert "BatchDeleteEvaluationJob" not in cli.local.bedrock.request_counts(), "a plan never deletes"


def test_the_plan_selects_exactly_what_the_function_selects(cli: Cli, invoke: Invoker) -> None:
    seed(cli.local)
    for index in range(40):
        cli.local.bedrock.add_job(f"bulk-{index}", "Failed", OLD - timedelta(hours=index))

    document = cli.json("plan", "--region", REGION, "--max-deletions", "25", "--name-exclude-regex", "^keep-")
    function = invoke({"dryRun": True, "maxDeletions": 25}, NAME_EXCLUDE_REGEX="^keep-")

    assert planned_arns(document) == function.logged_arns("Would delete evaluation jobs (dry run)")
    assert len(planned_arns(document)) == 25


def test_apply_deletes_exactly_the_plans_jobs(cli: Cli, tmp_path: Path) -> None:
    jobs = seed(cli.local)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--out", str(plan_file)).exit_code == 0
    later = cli.local.bedrock.add_job("old-but-not-reviewed", "Completed", OLD)

    applied = cli("apply", str(plan_file), "--yes", "--output", "json")

    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.stdout)
    planned = sorted(jobs[name] for name in ("sweep-a", "sweep-b", "sweep-c", "keep-me"))
    assert sorted(arns_of(result["deletedJobs"])) == planned
    assert sorted((set(jobs.values()) | {later}) - set(cli.local.bedrock.surviving_job_arns())) == planned
    assert later in cli.local.bedrock.surviving_job_arns(), "a job the plan did not list is never deleted"


def test_a_job_that_changed_since_the_plan_is_skipped_and_reported(cli: Cli, tmp_path: Path) -> None:
    jobs = seed(cli.local)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--out", str(plan_file)).exit_code == 0
    bedrock = cli.local.client("bedrock")
    bedrock.tag_resource(resourceARN=jobs["sweep-a"], tags=[{"key": "janitor:retain", "value": "true"}])
    cli.local.bedrock.set_status(jobs["sweep-b"], "InProgress")
    bedrock.batch_delete_evaluation_job(jobIdentifiers=[jobs["sweep-c"]])

    applied = cli("apply", str(plan_file), "--yes", "--output", "json")

    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.stdout)
    assert {reason: arns_of(items) for reason, items in result["skippedJobs"].items()} == {
        "alreadyGone": [jobs["sweep-c"]],
        "notFinished": [jobs["sweep-b"]],
        "protected": [jobs["sweep-a"]],
    }
    assert result["deletedJobs"] == [{"kind": "evaluationJobs", "jobArn": jobs["keep-me"]}]


def test_apply_asks_first_and_deletes_nothing_without_a_yes(cli: Cli, tmp_path: Path) -> None:
    seed(cli.local)
    plan_file = tmp_path / "plan.json"
    cli("plan", "--region", REGION, "--out", str(plan_file))

    declined = cli("apply", str(plan_file), input="n\n")

    assert declined.exit_code == 0
    assert "Delete 4 evaluation jobs?" in declined.stderr
    assert "BatchDeleteEvaluationJob" not in cli.local.bedrock.request_counts()


def _rewrite(plan_file: Path, **changes: Any) -> None:
    """Change the plan's top-level fields, its digest recomputed."""
    edit_plan(plan_file, json.loads(plan_file.read_text()) | changes)


def test_a_stale_plan_is_refused_with_no_request(cli: Cli, tmp_path: Path) -> None:
    seed(cli.local)
    plan_file = tmp_path / "plan.json"
    cli("plan", "--region", REGION, "--out", str(plan_file))
    _rewrite(plan_file, createdAt=(datetime.now(UTC) - timedelta(hours=25)).isoformat())
    cli.local.bedrock.reset_counts()

    refused = cli("apply", str(plan_file), "--yes")

    assert refused.exit_code == 2
    assert "--max-age" in refused.stderr
    assert "Traceback" not in refused.output
    assert cli.local.bedrock.request_counts() == {}
    assert cli("apply", str(plan_file), "--yes", "--max-age", "26").exit_code == 0


def test_a_plan_for_another_account_is_refused_with_no_request(cli: Cli, tmp_path: Path) -> None:
    seed(cli.local)
    plan_file = tmp_path / "plan.json"
    cli("plan", "--region", REGION, "--out", str(plan_file))
    cli.local.bedrock.reset_counts()

    refused = cli("apply", str(plan_file), "--yes")  # same plan: fine; now run it as `other`
    document = json.loads(plan_file.read_text())
    document["targets"][0]["profile"] = "other"
    edit_plan(plan_file, document)
    cli.local.bedrock.reset_counts()
    as_other = cli("apply", str(plan_file), "--yes")

    assert refused.exit_code == 0
    assert as_other.exit_code == 2
    assert (
        f"the plan is for account {ACCOUNT_ID}, but the credentials are for {OTHER_ACCOUNT}"
        in as_other.stderr
    )
    assert cli.local.bedrock.request_counts() == {}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["plan", "--region", REGION, "--older-than-days", "0"], "--older-than-days"),
        (["plan", "--region", REGION, "--older-than-days", "ten"], "--older-than-days"),
        (["plan", "--region", REGION, "--application-types", "Chat"], "--application-types"),
        (["plan", "--region", REGION, "--name-exclude-regex", "(unclosed"], "--name-exclude-regex"),
        (["plan", "--region", REGION, "--output", "xml"], "--output"),
        (["plan", "--region", REGION, "--profile", "nope"], "nope"),
        (["apply", "missing-plan.json", "--yes"], "missing-plan.json"),
    ],
)
def test_bad_input_exits_2_naming_it_with_no_request(cli: Cli, args: list[str], named: str) -> None:
    result = cli(*args)

    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert "Traceback" not in result.output
    assert cli.local.bedrock.request_counts() == {}


def test_the_progress_bar_is_off_when_the_output_is_not_a_terminal(cli: Cli) -> None:
    seed(cli.local)

    result = cli("plan", "--region", REGION)

    assert "listing and looking up" not in result.stderr
    assert "\x1b[" not in result.stdout, "no terminal control sequences in a pipe"


def test_run_plans_confirms_and_applies_and_its_dry_run_is_a_plan(cli: Cli) -> None:
    jobs = seed(cli.local)

    dry = cli("run", "--region", REGION, "--dry-run")
    assert dry.exit_code == 0
    assert "BatchDeleteEvaluationJob" not in cli.local.bedrock.request_counts()
    done = cli("run", "--region", REGION, "--name-exclude-regex", "^keep-", input="y\n")

    assert done.exit_code == 0, done.output
    assert "Delete 3 evaluation jobs?" in done.stderr
    assert "Deleted 3" in done.stdout
    assert sorted(cli.local.bedrock.surviving_job_arns()) == sorted(
        jobs[name] for name in ("fresh", "golden", "keep-me")
    )
