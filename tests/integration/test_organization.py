"""The accounts of an organization as Organizations tells them, over real HTTP (moto server)."""

from __future__ import annotations

from typing import Any

from janitor.organization.accounts import OrganizationAccounts
from localdev.services import LocalAws


def build_organization(organizations: Any) -> dict[str, Any]:
    """root ─ Workloads ─ Data science (2 accounts, one closed) ; root ─ Sandbox (1 account); 1 at the root."""
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]

    def unit(parent: str, name: str) -> str:
        return str(
            organizations.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
        )

    def account(parent: str, name: str) -> str:
        created = organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        account_id = str(created["CreateAccountStatus"]["AccountId"])
        organizations.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
        return account_id

    workloads = unit(root, "Workloads")
    data_science = unit(workloads, "Data science")
    sandbox = unit(root, "Sandbox")
    ids = {
        "root": root,
        "workloads": workloads,
        "data_science": data_science,
        "sandbox": sandbox,
        "scientist": account(data_science, "scientist"),
        "closed": account(data_science, "closed"),
        "sandbox_account": account(sandbox, "sandbox"),
    }
    organizations.close_account(AccountId=ids["closed"])
    at_root = organizations.create_account(Email="root-member@example.com", AccountName="root-member")
    ids["root_account"] = at_root["CreateAccountStatus"]["AccountId"]
    return ids


def test_the_active_accounts_under_an_ou_are_found_at_every_depth(local: LocalAws) -> None:
    organizations = local.client("organizations")
    ids = build_organization(organizations)

    found = OrganizationAccounts(organizations).active_accounts_under([ids["workloads"]])

    assert found == [ids["scientist"]], "the nested OU's active account; the closed one is left out"


def test_the_root_covers_the_whole_organization_and_overlapping_parents_count_once(local: LocalAws) -> None:
    organizations = local.client("organizations")
    ids = build_organization(organizations)

    found = OrganizationAccounts(organizations).active_accounts_under([ids["root"], ids["sandbox"]])

    assert ids["closed"] not in found
    assert {ids["scientist"], ids["sandbox_account"], ids["root_account"]} <= set(found)
    assert len(found) == len(set(found))
