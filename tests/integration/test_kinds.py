"""Every kind of leftover through the real handler, over HTTP against the emulator: a default
deployment touches evaluation jobs only; with more kinds, each kind's requests equal its bound,
one cap holds over all of them, and a refused delete of one kind stops the run with one report."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from emulator import FaultConfig
from localdev.services import LocalAws
from tests.conftest import Invoker

ALL_KINDS = "evaluationJobs,promptOptimizationJobs,batchEvaluations"
OTHER_OPERATIONS = {
    "ListAdvancedPromptOptimizationJobs",
    "BatchDeleteAdvancedPromptOptimizationJob",
    "ListBatchEvaluations",
    "DeleteBatchEvaluation",
}


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def seed_every_kind(local: LocalAws) -> dict[str, dict[str, list[str]]]:
    """Of each kind: old finished (deleted), retained, unfinished and recent ones (kept)."""
    emu = local.bedrock
    retain = {"janitor:retain": "true"}
    return {
        "evaluationJobs": {
            "deleted": [emu.add_job(status="Completed", creation_time=days_ago(40 + i)) for i in range(3)],
            "kept": [
                emu.add_job(status="Completed", creation_time=days_ago(50), tags=retain),
                emu.add_job(status="InProgress", creation_time=days_ago(50)),
            ],
        },
        "promptOptimizationJobs": {
            "deleted": [
                emu.add_prompt_optimization_job(status=status, creation_time=days_ago(40 + i))
                for i, status in enumerate(["Completed", "PartiallyCompleted", "Failed", "Stopped"])
            ],
            "kept": [
                emu.add_prompt_optimization_job(status="Completed", creation_time=days_ago(60), tags=retain),
                emu.add_prompt_optimization_job(status="InProgress", creation_time=days_ago(60)),
                emu.add_prompt_optimization_job(status="Completed", creation_time=days_ago(2)),
            ],
        },
        "batchEvaluations": {
            "deleted": [
                emu.add_batch_evaluation(status=status, creation_time=days_ago(40 + i))
                for i, status in enumerate(["COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "STOPPED"])
            ],
            "kept": [
                emu.add_batch_evaluation(status="COMPLETED", creation_time=days_ago(70), tags=retain),
                emu.add_batch_evaluation(status="IN_PROGRESS", creation_time=days_ago(70)),
                emu.add_batch_evaluation(status="FAILED", creation_time=days_ago(3)),
            ],
        },
    }


def surviving(local: LocalAws, kind: str) -> set[str]:
    return set(local.bedrock.surviving_arns(kind))


def test_a_default_deployment_calls_no_other_kinds_api(local: LocalAws, invoke: Invoker) -> None:
    seeded = seed_every_kind(local)
    run = invoke({})
    assert run.error is None
    assert run.result is not None
    assert run.result["deleted"] == 3
    assert not OTHER_OPERATIONS & set(local.bedrock.request_counts())
    for kind in ("promptOptimizationJobs", "batchEvaluations"):
        assert surviving(local, kind) == {*seeded[kind]["deleted"], *seeded[kind]["kept"]}
    assert list(run.result["kinds"]) == ["evaluationJobs"]


def test_every_kind_deletes_exactly_its_old_finished_unretained_resources(
    local: LocalAws, invoke: Invoker
) -> None:
    seeded = seed_every_kind(local)
    run = invoke({}, KINDS=ALL_KINDS)
    assert run.error is None
    assert run.result is not None
    for kind, resources in seeded.items():
        assert surviving(local, kind) == set(resources["kept"]), kind
        assert run.result["kinds"][kind]["deleted"] == len(resources["deleted"]), kind
        assert run.kind_metrics(kind)["JobsDeleted"] == len(resources["deleted"]), kind
    assert run.result["deleted"] == 11
    assert run.metrics["JobsDeleted"] == 11
    assert local.published_notifications() == []


def test_each_kinds_requests_equal_its_bound(local: LocalAws, invoke: Invoker) -> None:
    emu = local.bedrock
    for i in range(130):
        emu.add_batch_evaluation(
            status="COMPLETED" if i % 3 else "IN_PROGRESS", creation_time=days_ago(40 + i)
        )
    for i in range(60):
        emu.add_prompt_optimization_job(
            status="Completed" if i % 4 else "Stopping", creation_time=days_ago(40 + i)
        )
    for i in range(5):
        emu.add_prompt_optimization_job(status="Completed", creation_time=days_ago(i))
    run = invoke({}, KINDS="promptOptimizationJobs,batchEvaluations")
    assert run.error is None
    assert run.result is not None
    kinds = run.result["kinds"]
    evaluations, optimizations = kinds["batchEvaluations"], kinds["promptOptimizationJobs"]
    candidates = {
        name: counts["scanned"] - sum(v for k, v in counts["skipped"].items() if k != "protected")
        for name, counts in kinds.items()
    }
    assert (optimizations["scanned"], optimizations["deleted"]) == (65, 45)
    assert (evaluations["scanned"], evaluations["deleted"]) == (130, 86)
    assert emu.request_counts() == {
        "ListAdvancedPromptOptimizationJobs": math.ceil(65 / 1000),
        "BatchDeleteAdvancedPromptOptimizationJob": math.ceil(45 / 25),
        "ListBatchEvaluations": math.ceil(130 / 100),
        "DeleteBatchEvaluation": 86,
        "GetResources": math.ceil(candidates["promptOptimizationJobs"] / 100)
        + math.ceil(candidates["batchEvaluations"] / 100),
    }


def test_one_cap_holds_over_every_kind_oldest_first_within_each(local: LocalAws, invoke: Invoker) -> None:
    seeded = seed_every_kind(local)
    run = invoke({"maxDeletions": 5}, KINDS=ALL_KINDS)
    assert run.result is not None
    assert run.result["deleted"] == 5
    assert run.result["stoppedBy"] == "maxDeletions"
    deleted = {kind: set(resources["deleted"]) - surviving(local, kind) for kind, resources in seeded.items()}
    # Kinds run in their registered order: evaluation jobs take three places, then the two
    # oldest prompt optimization jobs; no batch evaluation is deleted.
    assert deleted["evaluationJobs"] == set(seeded["evaluationJobs"]["deleted"])
    oldest_two = sorted(
        seeded["promptOptimizationJobs"]["deleted"], key=seeded["promptOptimizationJobs"]["deleted"].index
    )[-2:]
    assert deleted["promptOptimizationJobs"] == set(oldest_two)
    assert deleted["batchEvaluations"] == set()


def test_a_batch_evaluation_still_running_when_deleted_is_kept_not_failed(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = [local.bedrock.add_batch_evaluation(creation_time=days_ago(40 + i)) for i in range(3)]
    local.bedrock.fail_item(arns[0], "ConflictException", "The batch evaluation is still running.")
    local.bedrock.fail_item(arns[1], "ResourceNotFoundException", "No batch evaluation found.")
    run = invoke({}, KINDS="batchEvaluations")
    assert run.result is not None
    assert run.error is None
    counts = run.result["kinds"]["batchEvaluations"]
    # Selected were two: the one deleted and the one someone else deleted first.
    assert (counts["deleted"], counts["failed"], counts["eligible"]) == (1, 0, 2)
    assert counts["skipped"] == {"notFinished": 1, "alreadyGone": 1}
    assert local.published_notifications() == []


def test_a_denied_delete_of_one_kind_stops_the_run_with_one_report(local: LocalAws, invoke: Invoker) -> None:
    seeded = seed_every_kind(local)
    # Enough for the systemic watch's consecutive refused calls (janitor.core.systemic).
    for i in range(300):
        local.bedrock.add_prompt_optimization_job(creation_time=days_ago(100 + i))
    local.bedrock.faults = FaultConfig(
        denied_operations=frozenset({"BatchDeleteAdvancedPromptOptimizationJob"})
    )
    run = invoke({}, KINDS=ALL_KINDS)
    assert run.error is not None, "reported, then the invocation fails for the Errors alarm"
    [finished] = run.logs("Janitor run finished")
    summary = finished["summary"]
    assert summary["systemicError"]["operation"] == "BatchDeleteAdvancedPromptOptimizationJob"
    assert summary["stoppedBy"] == "systemicError"
    assert "batchEvaluations" not in summary["kinds"]
    # The kind before it ran; the one after it never started.
    assert not set(seeded["evaluationJobs"]["deleted"]) & surviving(local, "evaluationJobs")
    assert "ListBatchEvaluations" not in local.bedrock.request_counts()
    [notification] = local.published_notifications()
    assert "BatchDeleteAdvancedPromptOptimizationJob" in notification["Subject"]
