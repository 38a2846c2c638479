"""The janitor function: code asset, least-privilege role, log group, async failure queue."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from janitor import RUNTIME_ENVIRONMENT

from .cleanup_permissions import cleanup_statements
from .config import JanitorConfig
from .lambda_asset import ARCHITECTURE, RUNTIME, function_code

HANDLER = "janitor.handlers.cleanup.lambda_handler"
#: Async invocations (the schedule's) that still fail after Lambda's retries land here.
ASYNC_RETRY_ATTEMPTS = 2


def failure_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """An encrypted, TLS-only queue that keeps failed events for the maximum 14 days."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )


def encrypted_log_group(
    scope: Construct,
    construct_id: str,
    config: JanitorConfig,
    key: kms.IKey,
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group encrypted with the stack's key (whose policy admits CloudWatch Logs, below)."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        retention=config.log_retention,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,
    )


class JanitorFunction(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: JanitorConfig, topic: sns.ITopic, key: kms.IKey
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # The logs name every job the janitor touched: encrypt them with the stack's key, which
        # CloudWatch Logs may use only for this account's log groups.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsToEncryptLogGroups",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:DescribeKey",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        self.log_group = encrypted_log_group(self, "Logs", config, key)
        self.on_failure_queue = failure_queue(self, "OnFailureQueue")

        # An explicit role with inline statements only: no AWS-managed policy, no "*" action.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Bedrock evaluation-job janitor: list, tag-check and delete evaluation jobs",
        )
        for statement in cleanup_statements(
            stack,
            config.kinds,
            config.target_regions,
            config.retain_tag_key,
            batched_tag_lookups=config.tag_lookup == "batched",
            outputs=config.outputs,
        ):
            self.role.add_to_policy(statement)
        if config.member_role_name is not None:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="AssumeTheMemberRoleOnly",
                    # The role's name in every account: which accounts admit this function is
                    # decided by each member role's trust policy (infra/member_role.py).
                    actions=["sts:AssumeRole"],
                    resources=[
                        stack.format_arn(
                            service="iam",
                            region="",
                            account="*",
                            resource="role",
                            resource_name=config.member_role_name,
                        )
                    ],
                )
            )
        if config.organization_units:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="CheckATargetIsUnderTheUnits",
                    # Read-only: an account a console invoke names that is not in memberAccounts
                    # is cleaned only if Organizations finds it active under the OUs.
                    actions=["organizations:DescribeAccount", "organizations:ListParents"],
                    resources=["*"],
                )
            )
        self.log_group.grant_write(self.role)
        # Spelled out rather than topic.grant_publish(), which adds the kms:GenerateDataKey* wildcard.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishFailureReports", actions=["sns:Publish"], resources=[topic.topic_arn]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="EncryptFailureReports",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
            )
        )

        self.function = lambda_.Function(
            self,
            "Function",
            description="Deletes old finished Amazon Bedrock evaluation jobs (nightly janitor)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=function_code(config.deployment_file),
            role=self.role,
            memory_size=config.memory_size_mb,
            timeout=Duration.seconds(config.timeout_seconds),
            # Unset by default: Lambda refuses a reservation that leaves the account less unreserved
            # concurrency than its minimum, which a new account's whole quota can be. Overlapping
            # runs are harmless (a job deleted twice is `alreadyGone`); see docs/configuration.md, reservedConcurrency.
            reserved_concurrent_executions=config.reserved_concurrency,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(self.on_failure_queue),
            environment={
                **config.function_environment,
                "NOTIFICATION_TOPIC_ARN": topic.topic_arn,
                **RUNTIME_ENVIRONMENT,
            },
        )
