"""Where moto is lenient and AWS is strict, made to behave as AWS does for the organization run.

- STS: moto assumes any role ARN, existing or not; AWS refuses a role that does not exist (or
  does not trust the caller) with AccessDenied.
- StackSets: moto ignores DeploymentTargets' AccountFilterType; AWS leaves a DIFFERENCE
  filter's accounts out of the OUs' deployment.
- Step Functions: moto only executes state machines when told to, and parses
  ToleratedFailurePercentage only as a decimal.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.cloudformation.models import StackInstances
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend


@contextmanager
def roles_must_exist() -> Iterator[None]:
    """moto's AssumeRole refuses, as AWS does, a role that does not exist in its account."""
    original = STSBackend.assume_role

    def assume_role(self: STSBackend, **kwargs: Any) -> Any:
        role_arn: str = kwargs["role_arn"]
        account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
        roles = iam_backends[account]["aws"].roles.values()
        if not any(role.name == name for role in roles):
            raise STSClientError(
                "AccessDenied",
                f"User: {self.account_id} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            )
        return original(self, **kwargs)

    STSBackend.assume_role = assume_role  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        STSBackend.assume_role = original  # type: ignore[method-assign]


@contextmanager
def stack_sets_honour_account_filters() -> Iterator[None]:
    """moto's StackSets ignore DeploymentTargets' AccountFilterType; AWS's leave the accounts of
    a DIFFERENCE filter out of the OUs' deployment, and so does this."""
    original = StackInstances.create_instances

    def create_instances(
        self: StackInstances,
        accounts: list[str],
        regions: list[str],
        parameters: list[dict[str, Any]] | None,
        deployment_targets: dict[str, Any],
        permission_model: str,
    ) -> list[dict[str, Any]]:
        excluded = (
            set(deployment_targets.get("Accounts", []))
            if deployment_targets.get("AccountFilterType") == "DIFFERENCE"
            else set()
        )
        real_get_instance = self.get_instance

        def get_instance(account: str, region: str) -> Any:
            # moto skips a target that already has an instance: an excluded account looks so.
            return True if account in excluded else real_get_instance(account, region)

        self.get_instance = get_instance  # type: ignore[method-assign]
        try:
            return original(self, accounts, regions, parameters, deployment_targets, permission_model)
        finally:
            del self.get_instance

    StackInstances.create_instances = create_instances  # type: ignore[method-assign]
    try:
        yield
    finally:
        StackInstances.create_instances = original  # type: ignore[method-assign]


def execute_state_machines(moto_url: str) -> None:
    """Turn on moto's Step Functions interpreter (off by default: executions just 'succeed')."""
    request = urllib.request.Request(
        f"{moto_url}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request)


def for_moto(definition: str) -> str:
    """moto's ASL parser reads ToleratedFailurePercentage only as a decimal (100.0, not 100)."""
    document = json.loads(definition)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("ToleratedFailurePercentage"), int):
                node["ToleratedFailurePercentage"] = float(node["ToleratedFailurePercentage"])
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(document)
    return json.dumps(document)
