"""`--kinds`: plan, apply and run over every enabled kind of leftover, as the function runs them
(janitor.run.across_kinds): one cap shared by the kinds in run order, each planned resource
recorded with its kind, re-checked with its own kind's get call and deleted with its own kind's
delete call and batch size, against the emulator. Offline (--kinds refused, the plan file's kinds): test_kinds_offline.py."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from janitor.kinds import KINDS
from janitor.kinds.batch_evaluations import BATCH_EVALUATIONS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.kinds.prompt_optimization_jobs import PROMPT_OPTIMIZATION_JOBS
from janitor_cli.plan_file import PLAN_VERSION
from localdev.services import REGION
from tests.cli.support import (
    OLD,
    RECENT,
    Cli,
    arns_of,
    planned_arns,
)
from tests.conftest import Invoker

ALL_KINDS = ",".join(KINDS)
NOW = datetime.now(UTC)


def seed_kinds(cli: Cli) -> dict[str, str]:
    """Name -> ARN: of each kind, two old finished ones, one recent, one protected."""
    bedrock = cli.local.bedrock
    retain = {"janitor:retain": "true"}
    return {
        "eval-a": bedrock.add_job("eval-a", "Completed", OLD),
        "eval-b": bedrock.add_job("eval-b", "Failed", OLD - timedelta(days=1)),
        "eval-fresh": bedrock.add_job("eval-fresh", "Completed", RECENT),
        "eval-golden": bedrock.add_job("eval-golden", "Completed", OLD, tags=retain),
        "prompt-a": bedrock.add_prompt_optimization_job("prompt-a", "Completed", OLD),
        "prompt-b": bedrock.add_prompt_optimization_job(
            "prompt-b", "PartiallyCompleted", OLD - timedelta(days=1)
        ),
        "prompt-fresh": bedrock.add_prompt_optimization_job("prompt-fresh", "Completed", RECENT),
        "prompt-golden": bedrock.add_prompt_optimization_job("prompt-golden", "Stopped", OLD, tags=retain),
        "batch_a": bedrock.add_batch_evaluation("batch_a", "COMPLETED", OLD),
        "batch_b": bedrock.add_batch_evaluation("batch_b", "FAILED", OLD - timedelta(days=1)),
        "batch_fresh": bedrock.add_batch_evaluation("batch_fresh", "COMPLETED", RECENT),
        "batch_golden": bedrock.add_batch_evaluation("batch_golden", "COMPLETED", OLD, tags=retain),
    }


def planned_kinds(document: Any) -> list[tuple[str, str]]:
    return [(job["kind"], job["name"]) for target in document["targets"] for job in target["jobs"]]


def test_plan_over_every_kind_records_each_resource_with_its_kind(cli: Cli, tmp_path: Path) -> None:
    arns = seed_kinds(cli)
    plan_file = tmp_path / "plan.json"

    document = cli.json(
        "plan", "--region", REGION, "--kinds", ALL_KINDS, "--show-kept", "--out", str(plan_file)
    )

    assert planned_kinds(document) == [
        ("evaluationJobs", "eval-b"), ("evaluationJobs", "eval-a"),
        ("promptOptimizationJobs", "prompt-b"), ("promptOptimizationJobs", "prompt-a"),
        ("batchEvaluations", "batch_b"), ("batchEvaluations", "batch_a"),
    ]  # fmt: skip
    [target] = document["targets"]
    assert {(job["kind"], job["name"], job["reason"]) for job in target["kept"]} == {
        ("evaluationJobs", "eval-golden", "protected"),
        ("promptOptimizationJobs", "prompt-golden", "protected"),
        ("batchEvaluations", "batch_golden", "protected"),
        ("promptOptimizationJobs", "prompt-fresh", "tooRecent"),
        ("batchEvaluations", "batch_fresh", "tooRecent"),
    }
    assert list(target["kinds"]) == list(KINDS)
    assert target["kinds"]["batchEvaluations"] == {"scanned": 4, "skipped": {"protected": 1, "tooRecent": 1}}
    assert document["settings"]["kinds"] == list(KINDS)
    written = json.loads(plan_file.read_text())
    assert written["version"] == PLAN_VERSION == 4
    assert [(job["kind"], job["jobArn"]) for job in written["targets"][0]["jobs"]] == [
        (kind, arns[name]) for kind, name in planned_kinds(document)
    ]
    assert [job["applicationType"] for job in written["targets"][0]["jobs"]] == [
        "ModelEvaluation", "ModelEvaluation", None, None, None, None
    ]  # fmt: skip
    counts = cli.local.bedrock.request_counts()
    assert {
        EVALUATION_JOBS.list_operation,
        PROMPT_OPTIMIZATION_JOBS.list_operation,
        BATCH_EVALUATIONS.list_operation,
    } <= set(counts)
    assert not any(operation in counts for operation in (kind.delete_operation for kind in KINDS.values()))


def test_the_table_has_a_kind_column_and_the_csv_a_kind_field(cli: Cli) -> None:
    seed_kinds(cli)

    table = cli("plan", "--region", REGION, "--kinds", ALL_KINDS, "--show-kept")
    rows = list(
        csv.DictReader(
            io.StringIO(cli("plan", "--region", REGION, "--kinds", ALL_KINDS, "--output", "csv").stdout)
        )
    )

    assert table.exit_code == 0, table.output
    header = next(line for line in table.stdout.splitlines() if "Account" in line)
    assert "Kind" in header
    assert "Bedrock evaluation resources to delete: 6" in table.stdout
    assert "Kept, by reason" in table.stdout
    assert {(row["kind"], row["name"]) for row in rows} == {
        ("evaluationJobs", "eval-a"), ("evaluationJobs", "eval-b"),
        ("promptOptimizationJobs", "prompt-a"), ("promptOptimizationJobs", "prompt-b"),
        ("batchEvaluations", "batch_a"), ("batchEvaluations", "batch_b"),
    }  # fmt: skip
    assert list(rows[0])[:4] == ["action", "account", "region", "kind"]


def test_one_kind_alone_is_named_by_its_noun(cli: Cli) -> None:
    seed_kinds(cli)

    table = cli("plan", "--region", REGION, "--kinds", "batchEvaluations")

    assert table.exit_code == 0, table.output
    assert "Batch evaluations to delete: 2" in table.stdout
    assert "batch evalu" in table.stdout, "the Kind column shows the noun"
    assert EVALUATION_JOBS.list_operation not in cli.local.bedrock.request_counts()


@pytest.mark.parametrize(
    ("cap", "planned"),
    [
        (3, ["evaluationJobs", "evaluationJobs", "promptOptimizationJobs"]),
        (5, ["evaluationJobs"] * 2 + ["promptOptimizationJobs"] * 2 + ["batchEvaluations"]),
        (1, ["evaluationJobs"]),
    ],
)
def test_one_cap_is_shared_by_the_kinds_in_run_order(cli: Cli, cap: int, planned: list[str]) -> None:
    seed_kinds(cli)

    document = cli.json("plan", "--region", REGION, "--kinds", ALL_KINDS, "--max-deletions", str(cap))

    assert [kind for kind, _ in planned_kinds(document)] == planned
    [target] = document["targets"]
    assert len(planned_arns(document)) == cap
    assert target["kinds"]["batchEvaluations"]["skipped"].get("overCap", 0) >= 1, "the last kind met the cap"


def test_apply_deletes_each_kind_with_its_own_call_and_batch_size(cli: Cli, tmp_path: Path) -> None:
    bedrock = cli.local.bedrock
    evaluation = [bedrock.add_job(f"eval-{i}", "Completed", OLD - timedelta(hours=i)) for i in range(27)]
    prompt = [
        bedrock.add_prompt_optimization_job(f"prompt-{i}", "Completed", OLD - timedelta(hours=i))
        for i in range(26)
    ]
    batch = [
        bedrock.add_batch_evaluation(f"batch_{i}", "COMPLETED", OLD - timedelta(hours=i)) for i in range(3)
    ]
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--kinds", ALL_KINDS, "--out", str(plan_file)).exit_code == 0
    bedrock.reset_counts()

    applied = cli("apply", str(plan_file), "--yes", "--output", "json")

    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.stdout)
    assert result["kinds"] == {
        "evaluationJobs": {"deleted": 27, "skipped": 0, "failed": 0},
        "promptOptimizationJobs": {"deleted": 26, "skipped": 0, "failed": 0},
        "batchEvaluations": {"deleted": 3, "skipped": 0, "failed": 0},
    }
    assert {(item["kind"], item["jobArn"]) for item in result["deletedJobs"]} == (
        {("evaluationJobs", arn) for arn in evaluation}
        | {("promptOptimizationJobs", arn) for arn in prompt}
        | {("batchEvaluations", arn) for arn in batch}
    )
    counts = bedrock.request_counts()
    # Re-checked with its own kind's get call; tags with its kind's read, or GetResources.
    assert counts["GetEvaluationJob"] == 27
    assert counts["GetAdvancedPromptOptimizationJob"] == 26
    assert counts["GetBatchEvaluation"] == 3
    assert counts["ListTagsForResource"] == 27 + 26
    assert counts["GetResources"] == 3
    # 25 a call for the batch deletes, one call each for batch evaluations.
    assert counts["BatchDeleteEvaluationJob"] == 2
    assert counts["BatchDeleteAdvancedPromptOptimizationJob"] == 2
    assert counts["DeleteBatchEvaluation"] == 3
    for kind in KINDS:
        assert bedrock.surviving_arns(kind) == []


def test_apply_rechecks_each_resource_and_reads_each_kinds_answer(cli: Cli, tmp_path: Path) -> None:
    arns = seed_kinds(cli)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--kinds", ALL_KINDS, "--out", str(plan_file)).exit_code == 0
    bedrock = cli.local.bedrock
    bedrock.set_status(arns["prompt-a"], "InProgress")
    bedrock.set_status(arns["batch_b"], "DELETING")
    # The service answers the delete with a ConflictException: still running, kept for later.
    bedrock.fail_item(arns["batch_a"], "ConflictException")

    applied = cli("apply", str(plan_file), "--yes", "--output", "json")

    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.stdout)
    assert result["skippedJobs"] == {
        "alreadyGone": [{"kind": "batchEvaluations", "jobArn": arns["batch_b"]}],
        "notFinished": [
            {"kind": "promptOptimizationJobs", "jobArn": arns["prompt-a"]},
            {"kind": "batchEvaluations", "jobArn": arns["batch_a"]},
        ],
    }
    assert sorted(arns_of(result["deletedJobs"])) == sorted(
        arns[name] for name in ("eval-a", "eval-b", "prompt-b")
    )
    assert result["failed"] == 0
    assert arns["batch_a"] in bedrock.surviving_arns("batchEvaluations")


def test_a_failed_delete_names_its_kind(cli: Cli, tmp_path: Path) -> None:
    arns = seed_kinds(cli)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--kinds", ALL_KINDS, "--out", str(plan_file)).exit_code == 0
    cli.local.bedrock.fail_item(arns["batch_a"], "ValidationException")

    applied = cli("apply", str(plan_file), "--yes")
    as_csv = cli("apply", str(plan_file), "--yes", "--output", "csv")

    assert applied.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.exit_code == 1
    assert [(row["kind"], row["job_arn"], row["code"]) for row in rows if row["outcome"] == "failed"] == [
        ("batchEvaluations", arns["batch_a"], "ValidationException")
    ]
    assert {row["outcome"] for row in rows} == {"skipped", "failed"}, "the rest went in the first apply"
    assert all(row["kind"] in KINDS for row in rows)
    assert "Applied, by kind" in applied.stdout
    not_deleted = applied.stdout[applied.stdout.index("Not deleted") :]
    assert "Kind" in not_deleted
    assert "batch evalu" in not_deleted


def test_run_confirms_over_every_kind(cli: Cli) -> None:
    arns = seed_kinds(cli)

    done = cli("run", "--region", REGION, "--kinds", ALL_KINDS, input="y\n")

    assert done.exit_code == 0, done.output
    assert "Delete 6 Bedrock evaluation resources?" in done.stderr
    assert "kinds evaluationJobs, promptOptimizationJobs, batchEvaluations" in done.stderr
    assert "  batch evaluation  batch_a  COMPLETED" in done.stderr
    assert "Deleted 6" in done.stdout
    assert sorted(cli.local.bedrock.surviving_arns("batchEvaluations")) == sorted(
        [arns["batch_fresh"], arns["batch_golden"]]
    )


def test_the_default_is_evaluation_jobs_only(cli: Cli) -> None:
    arns = seed_kinds(cli)

    document = cli.json("plan", "--region", REGION)

    assert sorted(planned_arns(document)) == sorted([arns["eval-a"], arns["eval-b"]])
    assert document["settings"]["kinds"] == ["evaluationJobs"]
    assert PROMPT_OPTIMIZATION_JOBS.list_operation not in cli.local.bedrock.request_counts()


@pytest.mark.parametrize("cap", [3, 9], ids=["cap met in the second kind", "cap met in the third kind"])
def test_the_plan_over_kinds_selects_exactly_what_the_function_selects(
    cli: Cli, invoke: Invoker, cap: int
) -> None:
    seed_kinds(cli)
    for index in range(4):
        cli.local.bedrock.add_prompt_optimization_job(f"bulk-{index}", "Failed", OLD - timedelta(hours=index))

    document = cli.json("plan", "--region", REGION, "--kinds", ALL_KINDS, "--max-deletions", str(cap))
    function = invoke(
        {"dryRun": True, "maxDeletions": cap},
        KINDS=ALL_KINDS,
        AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=cli.local.bedrock.endpoint_url,
    )

    selected = [
        arn
        for kind in KINDS.values()
        for arn in function.logged_arns(f"Would delete {kind.plural} (dry run)")
    ]
    assert planned_arns(document) == selected
    assert len(selected) == cap
    assert ("batchEvaluations" in {kind for kind, _ in planned_kinds(document)}) == (cap == 9)
