"""A run for one target over real HTTP: another Region with the function's own credentials, or
another account through its member role (moto's STS; the emulator keeps jobs per account and
Region and tells the caller's account from its credentials, as AWS does)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localdev.failing_endpoint import FailingEndpoint
from localdev.services import ACCOUNT_ID, REGION, LocalAws
from tests.conftest import Invocation, Invoker

MEMBER = "222222222222"
OTHER_REGION = "eu-west-1"
ORGANIZATION = {
    "TARGET_REGIONS": f"{REGION},{OTHER_REGION}",
    "MEMBER_ROLE_NAME": "BedrockEvaluationJanitorMember",
    "MEMBER_ACCOUNTS": MEMBER,
}
OLD = datetime.now(UTC) - timedelta(days=40)


def seed_everywhere(local: LocalAws) -> dict[tuple[str, str], list[str]]:
    """Three old finished jobs in each of two accounts by two Regions."""
    return {
        (account, region): [
            local.bedrock.add_job(status="Completed", creation_time=OLD, account_id=account, region=region)
            for _ in range(3)
        ]
        for account in (ACCOUNT_ID, MEMBER)
        for region in (REGION, OTHER_REGION)
    }


def surviving(local: LocalAws) -> dict[tuple[str, str], int]:
    return {
        (account, region): len(local.bedrock.surviving_job_arns(account_id=account, region=region))
        for account in (ACCOUNT_ID, MEMBER)
        for region in (REGION, OTHER_REGION)
    }


def test_a_member_accounts_region_is_cleaned_through_its_role_and_nothing_else(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)

    run = invoke({"target": {"accountId": MEMBER, "region": OTHER_REGION}}, **ORGANIZATION)

    assert run.error is None
    assert run.result is not None
    assert run.result["target"] == {"accountId": MEMBER, "region": OTHER_REGION}
    assert (run.result["scanned"], run.result["deleted"]) == (3, 3)
    assert surviving(local) == {
        (ACCOUNT_ID, REGION): 3,
        (ACCOUNT_ID, OTHER_REGION): 3,
        (MEMBER, REGION): 3,
        (MEMBER, OTHER_REGION): 0,
    }
    [finished] = run.logs("Janitor run finished")
    assert finished["target"] == {"accountId": MEMBER, "region": OTHER_REGION}, "every log line names it"


def test_another_region_of_the_functions_own_account_needs_no_role(local: LocalAws, invoke: Invoker) -> None:
    seed_everywhere(local)

    run = invoke(
        {"target": {"accountId": ACCOUNT_ID, "region": OTHER_REGION}},
        TARGET_REGIONS=ORGANIZATION["TARGET_REGIONS"],
    )

    assert run.error is None
    assert surviving(local)[(ACCOUNT_ID, OTHER_REGION)] == 0
    assert sum(surviving(local).values()) == 9


def test_a_manual_invoke_still_runs_the_functions_own_account_and_region(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)

    run = invoke({}, **ORGANIZATION)

    assert run.result is not None
    assert run.result["target"] == {"accountId": ACCOUNT_ID, "region": REGION}
    assert surviving(local)[(ACCOUNT_ID, REGION)] == 0
    assert sum(surviving(local).values()) == 9


def test_a_member_role_that_cannot_be_assumed_fails_the_target_and_touches_nothing(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)

    with FailingEndpoint([(403, "AccessDenied")]) as sts:
        run = invoke(
            {"target": {"accountId": MEMBER, "region": REGION}},
            AWS_ENDPOINT_URL_STS=sts.endpoint_url,
            **ORGANIZATION,
        )

    assert run.error is not None
    message = str(run.error)
    assert f"arn:aws:iam::{MEMBER}:role/BedrockEvaluationJanitorMember" in message
    assert "AccessDenied" in message
    assert "trust policy" in message
    assert sum(surviving(local).values()) == 12
    assert local.bedrock.request_counts() == {}, "no Bedrock request in any account"


def test_a_target_outside_the_deployment_is_refused_before_any_request(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)

    run = invoke({"target": {"accountId": MEMBER, "region": REGION}})

    assert run.error is not None
    assert "target.accountId" in str(run.error)
    assert local.bedrock.request_counts() == {}


RUN = "nightly-2026-11-30T03-00-00Z"
RESULTS_BUCKET = "janitor-results"


def invoke_as_run_target(local: LocalAws, invoke: Invoker, account: str, region: str) -> Invocation:
    """The janitor invoked as the organization run's state machine invokes it for one target."""
    s3 = local.client("s3")
    if RESULTS_BUCKET not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=RESULTS_BUCKET)
    return invoke(
        {"target": {"accountId": account, "region": region}, "organizationRun": RUN},
        RESULTS_BUCKET=RESULTS_BUCKET,
        **ORGANIZATION,
    )


def recorded_result(local: LocalAws, account: str, region: str) -> dict[str, Any]:
    answer = local.client("s3").get_object(
        Bucket=RESULTS_BUCKET, Key=f"runs/{RUN}/results/{account}-{region}.json"
    )
    result: dict[str, Any] = json.loads(answer["Body"].read())
    return result


def test_a_target_of_an_organization_run_records_its_result_and_leaves_the_reporting_to_the_run(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = seed_everywhere(local)
    local.bedrock.fail_item(jobs[(MEMBER, REGION)][0], "500", "Internal error deleting this job.")

    run = invoke_as_run_target(local, invoke, MEMBER, REGION)

    assert run.error is None
    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"]) == (2, 1)
    assert "failedJobs" not in run.result, "the state's payload stays small"
    recorded = recorded_result(local, MEMBER, REGION)
    assert [job["jobIdentifier"] for job in recorded["failedJobs"]] == [jobs[(MEMBER, REGION)][0]]
    assert recorded["target"] == {"accountId": MEMBER, "region": REGION}
    assert run.metrics == {}, "the gathering step publishes the run's metrics once"
    assert local.published_notifications() == [], "and its one report"


def test_an_organization_run_event_is_refused_where_the_deployment_has_none(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)

    run = invoke({"organizationRun": RUN})

    assert run.error is not None
    assert "organizationRun" in str(run.error)
    assert local.bedrock.request_counts() == {}


@pytest.mark.parametrize("account", [ACCOUNT_ID, MEMBER])
def test_an_excluded_account_is_refused_with_no_request_to_sts_organizations_or_bedrock(
    local: LocalAws, invoke: Invoker, account: str
) -> None:
    seed_everywhere(local)

    with FailingEndpoint([(403, "AccessDenied")]) as sts, FailingEndpoint([(400, "Unused")]) as organizations:
        run = invoke(
            {"target": {"accountId": account, "region": REGION}},
            AWS_ENDPOINT_URL_STS=sts.endpoint_url,
            AWS_ENDPOINT_URL_ORGANIZATIONS=organizations.endpoint_url,
            EXCLUDE_ACCOUNTS=account,
            ORGANIZATION_UNITS="r-abcd",
            **ORGANIZATION,
        )
        requests = (sts.requests, organizations.requests)

    assert run.error is not None
    assert f"{account} is excluded by this deployment (excludeAccounts)" in str(run.error)
    assert requests == (0, 0)
    assert local.bedrock.request_counts() == {}
    assert sum(surviving(local).values()) == 12


def organization_with_a_unit(local: LocalAws) -> tuple[str, str, str]:
    """(the unit's id, an account in it, an account directly under the root), in moto."""
    organizations = local.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="science")["OrganizationalUnit"]["Id"]
    inside, outside = (
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for name in ("inside", "outside")
    )
    organizations.move_account(AccountId=inside, SourceParentId=root, DestinationParentId=unit)
    return unit, inside, outside


def test_an_account_outside_the_units_and_unlisted_is_refused_once_organizations_says_so(
    local: LocalAws, invoke: Invoker
) -> None:
    unit, inside, outside = organization_with_a_unit(local)
    for account in (inside, outside):
        local.bedrock.add_job(status="Completed", creation_time=OLD, account_id=account, region=REGION)
    deployment = {**ORGANIZATION, "MEMBER_ACCOUNTS": "", "ORGANIZATION_UNITS": unit}

    refused = invoke({"target": {"accountId": outside, "region": REGION}}, **deployment)
    admitted = invoke({"target": {"accountId": inside, "region": REGION}}, **deployment)

    assert refused.error is not None
    assert f"{outside} is neither this function's account, nor in memberAccounts" in str(refused.error)
    assert "organizationUnits" in str(refused.error)
    assert len(local.bedrock.surviving_job_arns(account_id=outside, region=REGION)) == 1
    assert admitted.error is None, admitted.error
    assert len(local.bedrock.surviving_job_arns(account_id=inside, region=REGION)) == 0


def test_a_target_run_again_keeps_the_result_its_first_run_recorded(local: LocalAws, invoke: Invoker) -> None:
    seed_everywhere(local)

    first = invoke_as_run_target(local, invoke, MEMBER, REGION)
    local.bedrock.reset_counts()
    # The state machine's retry of an invocation whose answer was lost after the function ended.
    again = invoke_as_run_target(local, invoke, MEMBER, REGION)

    assert first.result is not None
    assert again.result is not None
    assert first.result["deleted"] == again.result["deleted"] == 3
    assert recorded_result(local, MEMBER, REGION)["deleted"] == 3, "not the re-run's alreadyGone counts"
    assert local.bedrock.request_counts() == {}, "the second invocation does not run again"
    assert again.logs("Target already recorded for this run")


def test_a_region_the_account_has_not_enabled_is_a_skipped_target_not_a_failed_one(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)
    local.bedrock.disable_region(MEMBER, OTHER_REGION)

    run = invoke_as_run_target(local, invoke, MEMBER, OTHER_REGION)

    assert run.error is None
    assert run.result is not None
    assert run.result["targetSkipped"]["reason"] == "regionNotEnabled"
    assert "error" not in run.result
    assert "systemicError" not in run.result
    assert run.result["complete"] is True
    assert surviving(local)[(MEMBER, OTHER_REGION)] == 3


def test_the_functions_own_region_refusing_its_credentials_is_still_a_failure(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_everywhere(local)
    local.bedrock.disable_region(ACCOUNT_ID, REGION)

    run = invoke({}, **ORGANIZATION)

    assert run.error is not None
    assert "UnrecognizedClientException" in str(run.error)
