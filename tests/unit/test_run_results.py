"""Which results an organization run's gathering step counts: the planned targets' only, and a
planned target without a result as failed."""

from __future__ import annotations

from janitor.overrides import Target
from janitor.run_results import planned_results, result_key


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
