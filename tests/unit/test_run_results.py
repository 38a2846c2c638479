"""Which results an organization run's gathering step counts: the planned targets' only, and a
planned target without a result as failed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.config.overrides import Target
from janitor.core.output_summary import OutputsFailed, OutputsKept, OutputsSummary
from janitor.core.report import FailedJob, RunSummary
from janitor.organization.results import REPLY_EXAMPLES, bounded_reply, planned_results, result_key


def target(account: str, region: str) -> Target:
    return Target(accountId=account, region=region)


def test_only_planned_targets_count_and_a_planned_target_without_a_result_is_missing() -> None:
    planned = [target("111111111111", "us-east-1"), target("222222222222", "us-east-1")]
    ran = {"target": {"accountId": "111111111111", "region": "us-east-1"}, "deleted": 3}
    unplanned = {"target": {"accountId": "999999999999", "region": "us-east-1"}, "deleted": 5}

    kept, missing = planned_results(planned, [ran, unplanned])

    assert kept == [ran], "a console invoke naming the run does not add to its totals"
    assert missing == [target("222222222222", "us-east-1")]


def test_a_targets_result_key_is_the_one_the_state_machine_writes_its_failure_to() -> None:
    # infra/organization_run.py: States.Format('runs/{}/results/{}-{}.json', run, account, region)
    assert result_key("nightly-2026-11-30T03-00-00Z", target("111111111111", "eu-west-1")) == (
        "runs/nightly-2026-11-30T03-00-00Z/results/111111111111-eu-west-1.json"
    )


STATE_PAYLOAD_LIMIT = 256 * 1024


def summary_of_a_big_run(kept: int, failed: int) -> dict[str, Any]:
    outputs = OutputsSummary(
        kept=[
            OutputsKept(f"arn:aws:bedrock:us-east-1:111111111111:evaluation-job/{i:012d}", "bucketNotListed")
            for i in range(kept)
        ],
        failed=[
            OutputsFailed(
                f"arn:aws:bedrock:us-east-1:111111111111:evaluation-job/{i:012d}",
                "eval-results",
                f"runs/job-{i}/{i:012d}/",
                3,
                "AccessDenied: " + "x" * 500,
            )
            for i in range(failed)
        ],
    )
    summary = RunSummary(dry_run=False, older_than_days=30, max_deletions=10_000, outputs=outputs)
    summary.failed_jobs = [FailedJob(f"arn-{i}", "500", "Internal error " * 20) for i in range(failed)]
    summary.error = "ListEvaluationJobs failed after retries: " + "y" * 100_000
    return summary.to_dict()


def test_a_targets_reply_to_the_state_machine_stays_under_its_256_kib_whatever_happened() -> None:
    result = summary_of_a_big_run(kept=2500, failed=2500)
    assert len(json.dumps(result)) > STATE_PAYLOAD_LIMIT, "the full summary would not fit"

    reply = bounded_reply(result)

    assert len(json.dumps(reply).encode()) < 16 * 1024
    assert reply["outputsKeptCount"] == 2500
    assert reply["outputsFailedCount"] == 2500
    assert reply["outputsKept"] == result["outputsKept"][:REPLY_EXAMPLES]
    assert "failedJobs" not in reply
    assert reply["failed"] == 2500


@given(kept=st.integers(0, 5000), failed=st.integers(0, 300))
@settings(max_examples=25, deadline=None)
def test_the_reply_does_not_grow_with_the_jobs(kept: int, failed: int) -> None:
    reply = bounded_reply(summary_of_a_big_run(kept, failed))
    assert len(json.dumps(reply).encode()) < 16 * 1024
