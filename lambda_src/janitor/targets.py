"""Which account and Region a run cleans: the function's own, or a target the deployment allows.

Pure: the bounds come from the settings and the function's own account and Region (its ARN).
A target is one more override, refused like the others before any request: the deployment
names the Regions it may clean (TARGET_REGIONS, default its own) and whether it may act in
other accounts at all (MEMBER_ROLE_NAME, the role it would assume there; the role's trust policy
in each member account is what admits the function, janitor.target_sessions).
"""

from __future__ import annotations

from collections.abc import Iterable

from janitor.overrides import REDEPLOY_HINT, InvalidInvocationError, Target
from janitor.settings import Settings


def home_target(invoked_function_arn: str) -> Target:
    """The function's own account and Region, from its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)."""
    parts = invoked_function_arn.split(":")
    return Target(accountId=parts[4], region=parts[3])


def allowed_regions(settings: Settings, home: Target) -> frozenset[str]:
    return settings.target_regions or frozenset({home.region})


def resolve_target(requested: Target | None, home: Target, settings: Settings) -> Target:
    """The target a run cleans: `requested` within the deployment's bounds, or `home`."""
    if requested is None:
        return home
    problems = []
    regions = allowed_regions(settings, home)
    if requested.region not in regions:
        problems.append(
            f"target.region: {requested.region} is not one of this deployment's Regions "
            f"({', '.join(sorted(regions))}) {REDEPLOY_HINT.format(key='targetRegions')}"
        )
    if requested.account_id != home.account_id and settings.member_role_name is None:
        problems.append(
            f"target.accountId: this deployment cleans only its own account ({home.account_id}): "
            "it has no member role to assume in other accounts (MEMBER_ROLE_NAME)"
        )
    if problems:
        raise InvalidInvocationError(
            f"Invocation refused: {'; '.join(problems)}. Nothing was listed or deleted."
        )
    return requested


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
