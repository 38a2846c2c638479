"""The outputs of each target are removed only from buckets its own account owns: the function's
account for its own targets, the member account for a member target (ExpectedBucketOwner)."""

from __future__ import annotations

from typing import Any, cast

from janitor.aws.sdk import lenient_session
from janitor.config.overrides import Target
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.run.target_sessions import TargetConnections, session_stores

HOME = Target(accountId="123456789012", region="us-east-1")
MEMBER = Target(accountId="222222222222", region="eu-west-1")
BUCKETS = frozenset({"eval-results"})


class StubSts:
    """AssumeRole answering with credentials, and nothing else (no request is made)."""

    def assume_role(self, **_: Any) -> dict[str, Any]:
        return {"Credentials": {"AccessKeyId": "AKIA", "SecretAccessKey": "s", "SessionToken": "t"}}


def connections() -> TargetConnections:
    return TargetConnections(
        lenient_session(region=HOME.region),
        max_concurrency=2,
        kinds=[EVALUATION_JOBS],
        member_role_name="BedrockEvaluationJanitorMember",
        sts_factory=lambda: cast(Any, StubSts()),
        output_buckets=BUCKETS,
    )


def test_each_targets_outputs_are_bound_to_that_targets_account() -> None:
    targets = connections()
    cold_start = targets.own_region_stores()

    own = targets.stores_for(HOME, HOME)
    other_region = targets.stores_for(Target(accountId=HOME.account_id, region="eu-west-1"), HOME)
    member = targets.stores_for(MEMBER, HOME)

    assert cold_start.outputs is not None
    assert cold_start.outputs.bucket_owner is None, "no account yet: no S3 call is possible"
    owners = [
        stores.outputs.bucket_owner if stores.outputs else None for stores in (own, other_region, member)
    ]
    assert owners == [HOME.account_id, HOME.account_id, MEMBER.account_id]
    assert own.leftovers is cold_start.leftovers, (
        "the function's own stores are still kept between invocations"
    )


def test_without_output_buckets_nothing_changes_for_the_command_line() -> None:
    stores = session_stores(lenient_session(region=HOME.region), 2)

    assert stores.outputs is None
