"""The member role: what the hub's janitor may do in a member account, and who may assume it.

A stack of its own, for CloudFormation StackSets (service-managed, to the organization's OUs)
or a plain deployment in each member account. It holds one IAM role and its inline policy: no
assets and no CDK bootstrap rule, so it deploys in an account nobody has bootstrapped. The
role trusts one principal, the hub function's role (`HubRoleArn`, a parameter, so the same
template serves every account), and in organization mode only while that principal belongs to
the organization (`aws:PrincipalOrgID`). Its permissions are exactly the hub function's own
cleanup statements (infra/cleanup_permissions.py), the retain-tag Deny included, on the member
account's evaluation jobs in the target Regions. IAM is global: one Region's stack instance is
enough per account.

Delivered to the OUs by the hub stack's StackSet (infra/member_role_stack_set.py); with
`memberAccounts` only, deploy this stack in each account (docs/organization-mode.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict, Unpack

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from janitor.core.kind import Kind
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

from .cleanup_permissions import OutputPermissions, cleanup_statements
from .config import JanitorConfig
from .nag import acknowledge, acknowledge_kind_findings, acknowledge_output_findings
from .stack_settings import DEFAULT_MEMBER_ROLE_NAME

MEMBER_ROLE_NAME = DEFAULT_MEMBER_ROLE_NAME
MEMBER_STACK_NAME = "BedrockEvaluationJanitorMember"
#: An IAM role ARN in any partition (the hub function's role has a path-free generated name).
_ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"


class MemberRoleArgs(TypedDict):
    """What shapes the member role; the same for the StackSet's template and the app's stack."""

    retain_tag_key: str
    kinds: NotRequired[Sequence[Kind]]
    batched_tag_lookups: bool
    regions: Sequence[str]
    organization_id: str | None
    role_name: NotRequired[str]
    outputs: NotRequired[OutputPermissions | None]


def hub_role_trust(hub_role_arn: str, organization_id: str | None) -> iam.IPrincipal:
    """The hub account, on the condition that the caller is the hub role (by ARN).

    Not the hub role's ARN as the principal: IAM stores that as the role's unique id, so a hub
    role deleted and created again (a stack replaced, a role renamed back) would be locked out
    of every member role until each was redeployed. `aws:PrincipalArn` matches by name.
    """
    hub_account = cdk.Fn.select(4, cdk.Fn.split(":", hub_role_arn))
    conditions: dict[str, Any] = {"ArnEquals": {"aws:PrincipalArn": hub_role_arn}}
    if organization_id is not None:
        conditions["StringEquals"] = {"aws:PrincipalOrgID": organization_id}
    return iam.PrincipalWithConditions(iam.AccountPrincipal(hub_account), conditions)


def member_role_args(config: JanitorConfig) -> MemberRoleArgs:
    """The member role for a hub deployed with `config`: its cleanup statements, Regions and trust."""
    return MemberRoleArgs(
        retain_tag_key=config.retain_tag_key,
        kinds=config.kinds,
        batched_tag_lookups=config.tag_lookup == "batched",
        regions=config.target_regions,
        organization_id=config.organization_id,
        role_name=config.member_role_name or MEMBER_ROLE_NAME,
        outputs=config.outputs,
    )


class MemberRoleStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retain_tag_key: str,
        kinds: Sequence[Kind] = (EVALUATION_JOBS,),
        batched_tag_lookups: bool,
        regions: Sequence[str],
        organization_id: str | None,
        role_name: str = MEMBER_ROLE_NAME,
        outputs: OutputPermissions | None = None,
    ) -> None:
        # No bootstrap version rule, no asset bucket: member accounts are not CDK-bootstrapped.
        super().__init__(scope, construct_id, synthesizer=cdk.BootstraplessSynthesizer())
        hub_role_arn = cdk.CfnParameter(
            self,
            "HubRoleArn",
            type="String",
            description="The ARN of the hub janitor function's role, the only principal this role trusts",
            allowed_pattern=_ROLE_ARN_PATTERN,
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            assumed_by=hub_role_trust(hub_role_arn.value_as_string, organization_id),
            # A chained role session (the hub function's role assuming this one) lasts 1 h at most.
            max_session_duration=cdk.Duration.hours(1),
            description=cdk.Fn.join(
                "",
                [
                    "Bedrock evaluation-job janitor, member account ",
                    cdk.Aws.ACCOUNT_ID,
                    ": list, tag-check and delete evaluation jobs for the hub role ",
                    hub_role_arn.value_as_string,
                ],
            ),
        )
        # No Regions named: the Region the stack instance is deployed in (the hub's).
        for statement in cleanup_statements(
            self, kinds, sorted(regions), retain_tag_key, batched_tag_lookups, outputs
        ):
            self.role.add_to_policy(statement)
        acknowledge(
            self.role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "Only the kinds' list calls and tag:GetResources use Resource '*': IAM defines no "
            "resource type for either, and GetResources only reads tags of the ARNs it is given.",
        )
        acknowledge_output_findings(self.role, outputs)
        acknowledge_kind_findings(self.role, kinds, regions)


def member_role_template(**args: Unpack[MemberRoleArgs]) -> dict[str, Any]:
    """The member role's CloudFormation template, synthesized in an app of its own."""
    app = cdk.App()
    stack = MemberRoleStack(app, MEMBER_STACK_NAME, **args)
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template
