"""What IAM refuses, in IAM's words: denied operations and the janitor's Deny on its retain tag.

IAM words a refusal as "User: <principal> is not authorized to perform: <action> [on resource:
<arn>] with an explicit deny in a <policy type>" (IAM user guide, "Troubleshoot access denied error
messages"). The principal stands for the janitor's Lambda role session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PRINCIPAL = "assumed-role/janitor/function"
#: Where the Deny of `FaultConfig.denied_operations` lives: an organization's guardrail.
SERVICE_CONTROL_POLICY = "a service control policy"
#: Where the retain-tag Deny lives: the janitor role's own policy (infra, the function's role).
IDENTITY_POLICY = "an identity-based policy"

RetainDenyMode = Literal["call", "item"]
RETAIN_DENY_MODES: tuple[RetainDenyMode, ...] = ("call", "item")


def explicit_deny_message(account_id: str, action: str, policy: str, resource: str | None = None) -> str:
    on = "" if resource is None else f" on resource: {resource}"
    return (
        f"User: arn:aws:sts::{account_id}:{PRINCIPAL} is not authorized to perform: {action}{on} "
        f"with an explicit deny in {policy}"
    )


@dataclass(frozen=True)
class RetainTagDeny:
    """The janitor role's statement, enforced: ``Deny bedrock:BatchDeleteEvaluationJob`` when
    ``StringEqualsIgnoreCase aws:ResourceTag/<tag_key>`` is ``"true"``.

    IAM matches the tag key of an ``aws:ResourceTag/<key>`` condition key without regard to case
    (condition key names are case-insensitive) and StringEqualsIgnoreCase compares the value
    without regard to case, so ``Janitor:Retain=TRUE`` is denied like ``janitor:retain=true``.
    A job carrying several keys that differ only in case is denied if any of them says "true".
    IAM reads the resource's current tags, so this is checked against the true tags, never the
    tagging API's lagging index.

    How Bedrock applies a resource-level Deny to a batch of resources is not documented, so
    both ways are offered: ``mode="call"`` refuses the whole request with 403
    AccessDeniedException (nothing in it is deleted), ``mode="item"`` answers each denied job
    with a per-item error (emulator/item_errors.py, ACCESS_DENIED) and deletes the others.
    """

    tag_key: str = "janitor:retain"
    mode: RetainDenyMode = "call"

    def __post_init__(self) -> None:
        if not self.tag_key:
            raise ValueError("tag_key must not be empty")
        if self.mode not in RETAIN_DENY_MODES:
            raise ValueError(f"mode must be one of {RETAIN_DENY_MODES}, got {self.mode!r}")

    def denies(self, tags: dict[str, str]) -> bool:
        key = self.tag_key.lower()
        return any(k.lower() == key and v.lower() == "true" for k, v in tags.items())

    def message(self, account_id: str, arn: str) -> str:
        return explicit_deny_message(account_id, "bedrock:BatchDeleteEvaluationJob", IDENTITY_POLICY, arn)
