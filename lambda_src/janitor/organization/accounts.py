"""The only module that talks to AWS Organizations: the active accounts under the given parents.

Read at the start of every organization run, so accounts created or moved since the
deployment are cleaned without a redeploy. Organizations' request quotas are low (a few calls a
second per account) and shared with the organization's other tooling; the calls here are
sequential, one page at a time, and botocore's standard mode retries its
TooManyRequestsException like any throttle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

import boto3

from janitor.aws.sdk import client_config

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

#: Accounts whose jobs can be cleaned. `State` replaced `Status` in 2025; both are read.
ACTIVE = "ACTIVE"
#: Organizations nests OUs at most five deep under the root.
MAX_DEPTH = 6


class OrganizationAccounts:
    def __init__(self, client: OrganizationsClient) -> None:
        self._client = client

    def active_accounts_under(self, parent_ids: Iterable[str]) -> list[str]:
        """The active accounts directly or indirectly under `parent_ids` (roots or OUs), sorted."""
        accounts: set[str] = set()
        seen: set[str] = set()
        parents = deque(sorted(set(parent_ids)))
        while parents:
            parent = parents.popleft()
            if parent in seen:
                continue
            seen.add(parent)
            for accounts_page in self._client.get_paginator("list_accounts_for_parent").paginate(
                ParentId=parent
            ):
                accounts.update(
                    account["Id"]
                    for account in accounts_page["Accounts"]
                    if (account.get("State") or account.get("Status")) == ACTIVE
                )
            for children_page in self._client.get_paginator("list_children").paginate(
                ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"
            ):
                parents.extend(child["Id"] for child in children_page["Children"])
        return sorted(accounts)

    def is_active_under(self, account_id: str, parent_ids: Iterable[str]) -> bool:
        """Whether `account_id` is an active account directly or indirectly under `parent_ids`:
        DescribeAccount, then ListParents up to the root (an OU tree is at most 5 levels deep)."""
        parents = set(parent_ids)
        account = self._client.describe_account(AccountId=account_id)["Account"]
        if (account.get("State") or account.get("Status")) != ACTIVE:
            return False
        child = account_id
        for _ in range(MAX_DEPTH):
            [parent] = self._client.list_parents(ChildId=child)["Parents"]
            if parent["Id"] in parents:
                return True
            if parent["Type"] == "ROOT":
                return False
            child = parent["Id"]
        return False


def create_organizations_client(session: boto3.session.Session) -> OrganizationsClient:
    # No endpoint here: AWS_ENDPOINT_URL_ORGANIZATIONS redirects the client when it is set.
    return session.client("organizations", config=client_config())
