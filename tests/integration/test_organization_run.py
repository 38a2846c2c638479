"""An organization run end to end on loopback: the synthesized state machine, executed by moto's
Step Functions interpreter, runs the janitor's real handlers (bridged into moto's Lambda) against
3 member accounts x 2 Regions in the Bedrock emulator; the member role reaches the accounts in the
OU through the synthesized StackSet; one listed account has no member role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from localdev.organization_run import OrganizationOnMoto, organization_on_moto
from localdev.services import ACCOUNT_ID, REGION, LocalAws

OTHER_REGION = "eu-west-1"
REGIONS = (REGION, OTHER_REGION)
OLD = datetime.now(UTC) - timedelta(days=40)
SCHEDULED = "2026-11-30T03:00:00Z"
MEMBER_ROLE = "BedrockEvaluationJanitorMember"


@pytest.fixture
def organization_run(local: LocalAws) -> Iterator[OrganizationOnMoto]:
    with organization_on_moto(local, REGIONS) as organization:
        yield organization


def seed(local: LocalAws, accounts: list[str]) -> None:
    """Three old finished jobs in every account and Region, the hub's own included."""
    for account in [ACCOUNT_ID, *accounts]:
        for region in REGIONS:
            for _ in range(3):
                local.bedrock.add_job(
                    status="Completed", creation_time=OLD, account_id=account, region=region
                )


def test_the_stack_set_gives_the_member_role_to_the_accounts_in_the_unit_only(
    organization_run: OrganizationOnMoto,
) -> None:
    roles = {}
    for account in organization_run.accounts:
        trust = member_role_trust(organization_run, account)
        roles[account] = trust is not None
        if trust is not None:
            assert organization_run.hub.hub_role_arn in json.dumps(trust)
    assert roles == {
        **dict.fromkeys(organization_run.organization.members, True),
        organization_run.organization.outside: False,
    }


def test_one_run_cleans_every_reachable_target_and_reports_the_unreachable_one(
    organization_run: OrganizationOnMoto,
) -> None:
    local, organization = organization_run.local, organization_run.organization
    seed(local, organization_run.accounts)

    started = organization_run.start(SCHEDULED)
    while_running = organization_run.start(SCHEDULED)
    execution = organization_run.wait(started["executionArn"])
    after_the_run = organization_run.start(SCHEDULED)

    assert started == {"executionArn": while_running["executionArn"], "alreadyRan": False}
    assert started["executionArn"].endswith(":nightly-2026-11-30T03-00-00Z")
    assert after_the_run == {"executionArn": started["executionArn"], "alreadyRan": True}
    executions = local.client("stepfunctions").list_executions(
        stateMachineArn=organization_run.hub.state_machine_arn
    )
    assert len(executions["executions"]) == 1, "a schedule delivered three times ran once"
    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["targets"] == 6
    assert output["targetsFailed"] == 2
    assert {(t["accountId"], t["region"]) for t in output["firstFailedTargets"]} == {
        (organization.outside, region) for region in REGIONS
    }
    assert all("AccessDenied" in t["error"] for t in output["firstFailedTargets"])
    assert (output["scanned"], output["eligible"], output["deleted"], output["failed"]) == (12, 12, 12, 0)
    assert output["byRegion"] == {
        region: {"targets": 3, "targetsFailed": 1, "scanned": 6, "eligible": 6, "deleted": 6, "failed": 0}
        for region in REGIONS
    }
    for account in organization.members:
        for region in REGIONS:
            assert local.bedrock.surviving_job_arns(account_id=account, region=region) == []
    for account in (ACCOUNT_ID, organization.outside):
        for region in REGIONS:
            assert len(local.bedrock.surviving_job_arns(account_id=account, region=region)) == 3

    [report] = local.published_notifications()
    assert report["Subject"].startswith(
        "Bedrock janitor (organization): 0 jobs not deleted, 2 targets failed"
    )
    machine = report["Message"]
    assert {(t["accountId"], t["region"]) for t in machine["failedTargets"]} == {
        (organization.outside, region) for region in REGIONS
    }


def test_an_excluded_account_in_the_unit_gets_no_member_role_and_is_not_cleaned(local: LocalAws) -> None:
    with organization_on_moto(local, REGIONS, members=2, excluded_members=1) as organization_run:
        excluded, kept = organization_run.organization.members
        seed(local, organization_run.accounts)

        started = organization_run.start(SCHEDULED)
        execution = organization_run.wait(started["executionArn"])

        assert execution["status"] == "SUCCEEDED"
        assert member_role_trust(organization_run, excluded) is None
        assert member_role_trust(organization_run, kept) is not None
        for region in REGIONS:
            assert len(local.bedrock.surviving_job_arns(account_id=excluded, region=region)) == 3
            assert local.bedrock.surviving_job_arns(account_id=kept, region=region) == []


def member_role_trust(organization_run: OrganizationOnMoto, account: str) -> dict[str, Any] | None:
    """The trust policy of the member role in `account`, or None where it has none."""
    local = organization_run.local
    credentials = local.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="check"
    )["Credentials"]
    member_iam = boto3.client(
        "iam",
        endpoint_url=local.moto_url,
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    if MEMBER_ROLE not in {role["RoleName"] for role in member_iam.list_roles()["Roles"]}:
        return None
    trust: dict[str, Any] = member_iam.get_role(RoleName=MEMBER_ROLE)["Role"]["AssumeRolePolicyDocument"]
    return trust


def test_an_organization_run_cleans_every_kind_and_totals_them_by_kind(local: LocalAws) -> None:
    with organization_on_moto(
        local, (REGION,), kinds="evaluationJobs,promptOptimizationJobs,batchEvaluations"
    ) as organization_run:
        # The OU's two accounts (the hub's own is not under it).
        reachable = organization_run.organization.members
        for account in reachable:
            local.bedrock.add_job(status="Completed", creation_time=OLD, account_id=account, region=REGION)
            for _ in range(2):
                local.bedrock.add_prompt_optimization_job(
                    creation_time=OLD, account_id=account, region=REGION
                )
            for _ in range(3):
                local.bedrock.add_batch_evaluation(creation_time=OLD, account_id=account, region=REGION)
        execution = organization_run.wait(organization_run.start(SCHEDULED)["executionArn"])

    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["byKind"] == {
        "evaluationJobs": {"scanned": 2, "eligible": 2, "deleted": 2, "failed": 0},
        "promptOptimizationJobs": {"scanned": 4, "eligible": 4, "deleted": 4, "failed": 0},
        "batchEvaluations": {"scanned": 6, "eligible": 6, "deleted": 6, "failed": 0},
    }
    for account in reachable:
        for kind in ("evaluationJobs", "promptOptimizationJobs", "batchEvaluations"):
            assert local.bedrock.surviving_arns(kind, account_id=account, region=REGION) == [], (
                account,
                kind,
            )
