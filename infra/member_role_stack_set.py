"""The member role in every account under the organization's OUs, by a CloudFormation StackSet.

Service-managed permissions with automatic deployment: accounts created in or moved into the OUs
later get the role without a redeploy, and accounts that leave lose it. One Region is enough,
IAM being global: the hub's own. The StackSet is created by the management account or a StackSets
delegated administrator (`stackSetCallAs`), after trusted access for StackSets is enabled in
Organizations (docs/organization-mode.md). StackSets never deploy to the management account
itself; when it is a target too, deploy the member role stack there by hand.
"""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_cloudformation as cloudformation
from aws_cdk import aws_iam as iam
from constructs import Construct

from .config import JanitorConfig
from .member_role import member_role_args, member_role_template

#: The share of accounts whose stack instance may fail before an operation stops.
FAILURE_TOLERANCE_PERCENTAGE = 10


def deployment_targets(config: JanitorConfig) -> cloudformation.CfnStackSet.DeploymentTargetsProperty:
    """The OUs less `excludeAccounts`: an excluded account holds no role the hub could assume."""
    if not config.exclude_accounts:
        return cloudformation.CfnStackSet.DeploymentTargetsProperty(
            organizational_unit_ids=list(config.organization_units)
        )
    return cloudformation.CfnStackSet.DeploymentTargetsProperty(
        organizational_unit_ids=list(config.organization_units),
        account_filter_type="DIFFERENCE",
        accounts=list(config.exclude_accounts),
    )


class MemberRoleStackSet(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: JanitorConfig, hub_role: iam.IRole
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        template = member_role_template(**member_role_args(config))
        self.stack_set = cloudformation.CfnStackSet(
            self,
            "StackSet",
            stack_set_name=f"{stack.stack_name}-MemberRole",
            description="The Bedrock evaluation-job janitor's member role, trusted by the hub function only",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=False
            ),
            call_as=config.stack_set_call_as,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            # For the operations the stack's own deploys start (not automatic deployments, to
            # which AWS applies no operation preferences). Soft tolerance: a few accounts that
            # refuse the role (an SCP denying iam:CreateRole, a role of that name left by a
            # manual deploy) end as failed instances without failing the operation, and so
            # without rolling the hub stack back; strict mode would also cap the concurrency at
            # the tolerance plus one. docs/organization-mode.md.
            operation_preferences=cloudformation.CfnStackSet.OperationPreferencesProperty(
                concurrency_mode="SOFT_FAILURE_TOLERANCE",
                max_concurrent_percentage=25,
                failure_tolerance_percentage=FAILURE_TOLERANCE_PERCENTAGE,
                region_concurrency_type="PARALLEL",
            ),
            parameters=[
                cloudformation.CfnStackSet.ParameterProperty(
                    parameter_key="HubRoleArn", parameter_value=hub_role.role_arn
                )
            ],
            stack_instances_group=[
                cloudformation.CfnStackSet.StackInstancesProperty(
                    deployment_targets=deployment_targets(config),
                    regions=[stack.region],
                )
            ],
            template_body=json.dumps(template, separators=(",", ":")),
        )
