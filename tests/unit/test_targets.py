"""An invocation's target: validated like every field, and never outside the deployment's bounds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from janitor.config.function_environment import load_settings
from janitor.config.overrides import InvalidInvocationError, Target, parse_invocation
from janitor.config.setting_errors import SettingsError
from janitor.config.settings import Settings
from janitor.config.targets import home_target, needs_membership_check, plan_targets, resolve_target

HOME = home_target("arn:aws:lambda:us-east-1:123456789012:function:bedrock-evaluation-janitor")
MEMBER = "222222222222"
BASE = {"NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:janitor"}


def settings(**environment: str) -> Settings:
    return load_settings({**BASE, **environment})


def target(account: str, region: str) -> Target:
    return Target(accountId=account, region=region)


def test_no_target_is_the_functions_own_account_and_region() -> None:
    assert resolve_target(None, HOME, settings()) == target("123456789012", "us-east-1")


def test_by_default_only_the_functions_own_account_and_region_are_accepted() -> None:
    assert resolve_target(target("123456789012", "us-east-1"), HOME, settings()) == HOME
    with pytest.raises(InvalidInvocationError, match=r"target.region: eu-west-1 is not one of .*us-east-1"):
        resolve_target(target("123456789012", "eu-west-1"), HOME, settings())
    with pytest.raises(InvalidInvocationError, match=r"target.accountId: .* only its own account"):
        resolve_target(target(MEMBER, "us-east-1"), HOME, settings())


def test_the_deployment_names_the_regions_and_the_member_role() -> None:
    wide = settings(
        TARGET_REGIONS="us-east-1,eu-west-1",
        MEMBER_ROLE_NAME="BedrockEvaluationJanitorMember",
        MEMBER_ACCOUNTS=MEMBER,
    )

    assert resolve_target(target(MEMBER, "eu-west-1"), HOME, wide) == target(MEMBER, "eu-west-1")
    with pytest.raises(InvalidInvocationError, match=r"target\.region: ap-south-1"):
        resolve_target(target(MEMBER, "ap-south-1"), HOME, wide)


@pytest.mark.parametrize(
    ("event", "named"),
    [
        ({"target": {"accountId": "12345", "region": "us-east-1"}}, "target.accountId"),
        ({"target": {"accountId": 123456789012, "region": "us-east-1"}}, "target.accountId"),
        ({"target": {"accountId": "123456789012", "region": "US-EAST-1"}}, "target.region"),
        ({"target": {"accountId": "123456789012"}}, "target.region"),
        ({"target": {"accountId": "123456789012", "region": "us-east-1", "role": "x"}}, "target.role"),
        ({"target": "123456789012"}, "target"),
    ],
)
def test_a_malformed_target_is_refused_naming_the_field(event: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInvocationError, match=re.escape(named)):
        parse_invocation(event)


@pytest.mark.parametrize(
    ("variable", "value"), [("TARGET_REGIONS", "us-east-1,mars-1"), ("MEMBER_ROLE_NAME", "no spaces allowed")]
)
def test_bad_target_settings_fail_the_cold_start_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        settings(**{variable: value})


regions = st.sampled_from(["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"])
accounts = st.sampled_from(["123456789012", MEMBER, "333333333333"])


@given(
    account=accounts,
    region=regions,
    allowed=st.frozensets(regions),
    member_role=st.sampled_from(["", "BedrockEvaluationJanitorMember"]),
)
def test_a_resolved_target_is_always_within_the_deployment(
    account: str, region: str, allowed: frozenset[str], member_role: str
) -> None:
    deployed = settings(TARGET_REGIONS=",".join(sorted(allowed)), MEMBER_ROLE_NAME=member_role)
    try:
        resolved = resolve_target(target(account, region), HOME, deployed)
    except InvalidInvocationError:
        return
    assert resolved.region in (allowed or {HOME.region})
    assert resolved.account_id == HOME.account_id or member_role


def test_an_organization_run_plans_every_account_in_every_region_once_excluded_ones_never() -> None:
    deployed = settings(
        TARGET_REGIONS="us-east-1,eu-west-1",
        MEMBER_ACCOUNTS="444444444444,222222222222",
        EXCLUDE_ACCOUNTS="333333333333",
    )

    planned = plan_targets(["222222222222", "333333333333", "555555555555"], deployed, HOME)

    assert [(t.account_id, t.region) for t in planned] == [
        (account, region)
        for account in ("222222222222", "444444444444", "555555555555")
        for region in ("eu-west-1", "us-east-1")
    ]


def test_a_deployment_that_names_no_accounts_plans_each_region_of_its_own_account() -> None:
    deployed = settings(TARGET_REGIONS="us-east-1,eu-west-1")

    planned = plan_targets([], deployed, HOME)

    assert [(t.account_id, t.region) for t in planned] == [
        (HOME.account_id, "eu-west-1"),
        (HOME.account_id, "us-east-1"),
    ]


@given(
    found=st.frozensets(accounts),
    listed=st.frozensets(accounts),
    excluded=st.frozensets(accounts),
    allowed=st.frozensets(regions),
)
def test_planned_targets_are_each_once_within_the_deployment_and_never_excluded(
    found: frozenset[str], listed: frozenset[str], excluded: frozenset[str], allowed: frozenset[str]
) -> None:
    deployed = settings(
        TARGET_REGIONS=",".join(sorted(allowed)),
        ORGANIZATION_UNITS="r-abcd",
        MEMBER_ACCOUNTS=",".join(sorted(listed)),
        EXCLUDE_ACCOUNTS=",".join(sorted(excluded)),
    )

    planned = plan_targets(found, deployed, HOME)

    pairs = [(t.account_id, t.region) for t in planned]
    assert len(pairs) == len(set(pairs))
    assert {account for account, _ in pairs} == (found | listed) - excluded
    assert {region for _, region in pairs} <= (allowed or {HOME.region})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ORGANIZATION_UNITS", "ou-1"),
        ("ORGANIZATION_UNITS", "r-abcd,o-abcdefghij"),
        ("MEMBER_ACCOUNTS", "12345678901"),
        ("EXCLUDE_ACCOUNTS", "abcdefghijkl"),
    ],
)
def test_bad_organization_settings_fail_the_cold_start_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        settings(**{variable: value})


MEMBER_ROLE = "BedrockEvaluationJanitorMember"


@pytest.mark.parametrize("account", [HOME.account_id, MEMBER])
def test_an_excluded_account_is_refused_naming_it_and_the_key(account: str) -> None:
    deployed = settings(MEMBER_ROLE_NAME=MEMBER_ROLE, MEMBER_ACCOUNTS=MEMBER, EXCLUDE_ACCOUNTS=account)

    with pytest.raises(InvalidInvocationError, match=rf"{account} is excluded .*\(excludeAccounts\)"):
        resolve_target(target(account, "us-east-1"), HOME, deployed)


def test_with_no_target_an_excluded_own_account_is_refused_too() -> None:
    with pytest.raises(InvalidInvocationError, match="excludeAccounts"):
        resolve_target(None, HOME, settings(EXCLUDE_ACCOUNTS=HOME.account_id))


def test_an_unlisted_account_is_refused_without_units_and_left_to_organizations_with_them() -> None:
    listed_only = settings(MEMBER_ROLE_NAME=MEMBER_ROLE, MEMBER_ACCOUNTS="444444444444")
    with pytest.raises(InvalidInvocationError, match=rf"{MEMBER} is not in this deployment's memberAccounts"):
        resolve_target(target(MEMBER, "us-east-1"), HOME, listed_only)

    with_units = settings(MEMBER_ROLE_NAME=MEMBER_ROLE, ORGANIZATION_UNITS="ou-abcd-12345678")
    admitted = resolve_target(target(MEMBER, "us-east-1"), HOME, with_units)
    assert needs_membership_check(admitted, HOME, with_units)
    assert not needs_membership_check(HOME, HOME, with_units)
    listed = settings(MEMBER_ROLE_NAME=MEMBER_ROLE, ORGANIZATION_UNITS="r-abcd", MEMBER_ACCOUNTS=MEMBER)
    assert not needs_membership_check(target(MEMBER, "us-east-1"), HOME, listed)


@given(
    account=accounts,
    listed=st.frozensets(accounts),
    excluded=st.frozensets(accounts, min_size=1),
    units=st.booleans(),
    requested=st.booleans(),
)
def test_an_excluded_account_is_never_a_target_whatever_else_the_deployment_says(
    account: str, listed: frozenset[str], excluded: frozenset[str], units: bool, requested: bool
) -> None:
    deployed = settings(
        MEMBER_ROLE_NAME=MEMBER_ROLE,
        MEMBER_ACCOUNTS=",".join(sorted(listed | {account})),
        EXCLUDE_ACCOUNTS=",".join(sorted(excluded | {account})),
        **({"ORGANIZATION_UNITS": "r-abcd"} if units else {}),
    )
    home = Target(accountId=account, region="us-east-1") if not requested else HOME

    with pytest.raises(InvalidInvocationError, match=f"{account} is excluded"):
        resolve_target(target(account, "us-east-1") if requested else None, home, deployed)


@given(account=accounts, listed=st.frozensets(accounts), units=st.booleans())
def test_another_account_is_admitted_only_when_listed_or_left_to_organizations(
    account: str, listed: frozenset[str], units: bool
) -> None:
    deployed = settings(
        MEMBER_ROLE_NAME=MEMBER_ROLE,
        MEMBER_ACCOUNTS=",".join(sorted(listed)),
        **({"ORGANIZATION_UNITS": "r-abcd"} if units else {}),
    )
    wanted = target(account, "us-east-1")
    try:
        admitted = resolve_target(wanted, HOME, deployed)
    except InvalidInvocationError:
        assert account != HOME.account_id
        assert account not in listed
        assert not units
        return
    assert admitted == wanted
    checked = needs_membership_check(admitted, HOME, deployed)
    assert account == HOME.account_id or account in listed or checked
