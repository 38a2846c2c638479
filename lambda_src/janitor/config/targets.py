"""Which account and Region a run cleans: the function's own, or a target the deployment allows.

Pure: the bounds come from the settings and the function's own account and Region (its ARN).
A target is one more override, refused like the others before any request: the deployment
names the Regions it may clean (TARGET_REGIONS, default its own) and whether it may act in
other accounts at all (MEMBER_ROLE_NAME, the role it would assume there; the role's trust policy
in each member account is what admits the function, janitor.run.target_sessions).
"""

from __future__ import annotations

from collections.abc import Iterable

from janitor.config.overrides import REDEPLOY_HINT, InvalidInvocationError, Target
from janitor.config.settings import Settings


def home_target(invoked_function_arn: str) -> Target:
    """The function's own account and Region, from its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)."""
    parts = invoked_function_arn.split(":")
    return Target(accountId=parts[4], region=parts[3])


def allowed_regions(settings: Settings, home: Target) -> frozenset[str]:
    return settings.target_regions or frozenset({home.region})


def resolve_target(requested: Target | None, home: Target, settings: Settings) -> Target:
    """The target a run cleans: `requested` within the deployment's bounds, or `home`.

    Refused here, before any request: an excluded account (wherever it comes from, the
    function's own included), a Region the deployment does not clean, and another account
    when the deployment has no member role or names it neither in `memberAccounts` nor may
    find it under `organizationUnits` (which `needs_membership_check` then leaves to
    Organizations).
    """
    target = requested or home
    problems = []
    if target.account_id in settings.exclude_accounts:
        problems.append(
            f"target.accountId: {target.account_id} is excluded by this deployment (excludeAccounts) "
            f"{REDEPLOY_HINT.format(key='excludeAccounts')}"
        )
    regions = allowed_regions(settings, home)
    # No target: the function's own account and Region, whatever targetRegions names.
    if requested is not None and target.region not in regions:
        problems.append(
            f"target.region: {target.region} is not one of this deployment's Regions "
            f"({', '.join(sorted(regions))}) {REDEPLOY_HINT.format(key='targetRegions')}"
        )
    if target.account_id != home.account_id:
        if settings.member_role_name is None:
            problems.append(
                f"target.accountId: this deployment cleans only its own account ({home.account_id}): "
                "it has no member role to assume in other accounts (MEMBER_ROLE_NAME)"
            )
        elif target.account_id not in settings.member_accounts and not settings.organization_units:
            problems.append(
                f"target.accountId: {target.account_id} is not in this deployment's memberAccounts "
                f"and it names no organizationUnits {REDEPLOY_HINT.format(key='memberAccounts')}"
            )
    if problems:
        raise InvalidInvocationError(
            f"Invocation refused: {'; '.join(problems)}. Nothing was listed or deleted."
        )
    return target


def needs_membership_check(target: Target, home: Target, settings: Settings) -> bool:
    """A target `resolve_target` admitted only if Organizations finds it active under the OUs."""
    return (
        target.account_id != home.account_id
        and target.account_id not in settings.member_accounts
        and bool(settings.organization_units)
    )


def outside_the_units_error(account_id: str, reason: str) -> InvalidInvocationError:
    return InvalidInvocationError(
        f"Invocation refused: target.accountId: {account_id} is neither this function's account, "
        f"nor in memberAccounts, nor an active account under organizationUnits ({reason}) "
        f"{REDEPLOY_HINT.format(key='organizationUnits')}. Nothing was listed or deleted."
    )


def plan_targets(accounts_under_units: Iterable[str], settings: Settings, home: Target) -> list[Target]:
    """Every (account, Region) an organization run cleans, each once, in a stable order.

    The accounts are those found under ORGANIZATION_UNITS at the start of the run (so accounts
    created since the deployment are included) and MEMBER_ACCOUNTS, less EXCLUDE_ACCOUNTS,
    which wins wherever an account comes from; each in every Region of TARGET_REGIONS. A
    deployment that names no accounts (TARGET_REGIONS only) cleans its own account's Regions.
    """
    if not settings.organization_units and not settings.member_accounts:
        return [
            Target(accountId=home.account_id, region=region)
            for region in sorted(allowed_regions(settings, home))
        ]
    accounts = (set(accounts_under_units) | settings.member_accounts) - settings.exclude_accounts
    regions = sorted(allowed_regions(settings, home))
    return [Target(accountId=account, region=region) for account in sorted(accounts) for region in regions]
