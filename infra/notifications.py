"""The failure-report topic: a customer-managed KMS key, TLS-only publishing, optional email.

The stack's alarms publish to it too, as the service principal cloudwatch.amazonaws.com. The
topic's own policy replaces SNS's default one, so both the topic and its key must admit that
principal explicitly; the topic only on behalf of this stack's alarms in this account.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

CLOUDWATCH = "cloudwatch.amazonaws.com"


class FailureNotifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        #: Every alarm of the stack is named with this prefix (see monitoring.py). Alarm names are
        #: unique per account and region, so the stack name keeps two stacks' alarms apart.
        self.alarm_name_prefix = f"{stack.stack_name}-"
        # The confused-deputy guard: CloudWatch may act only for this account's alarms so named.
        from_this_stacks_alarms: dict[str, Any] = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="cloudwatch",
                    resource="alarm",
                    resource_name=f"{self.alarm_name_prefix}*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            },
        }
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the Bedrock evaluation-job janitor's failure-report topic and logs",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # CloudWatch calls KMS itself when it publishes to an encrypted topic; the AWS-managed SNS
        # key would not let it. As in AWS's own example (SNS developer guide, encrypted topics
        # and event sources from AWS services), with no condition: AWS does not document that
        # aws:SourceArn/aws:SourceAccount reach KMS on this call (for EventBridge it documents
        # that they do not), and a condition that is absent would drop every alarm silently.
        # The confused-deputy guard is on the topic's policy, where SNS documents it.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name="Bedrock evaluation-job janitor",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=from_this_stacks_alarms,
            )
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
