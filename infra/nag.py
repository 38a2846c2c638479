"""cdk-nag findings reviewed and accepted, each with the reason a reviewer would want."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import Construct

from infra.janitor_function import JanitorFunction
from infra.notifications import FailureNotifications
from infra.schedule import NightlySchedule


def acknowledge(scope: Construct, rule: str, reason: str) -> None:
    """Accept cdk-nag's `rule` under `scope`, for `reason` (shown in the validation report)."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_reviewed_findings(
    stack: Stack, janitor: JanitorFunction, schedule: NightlySchedule, notifications: FailureNotifications
) -> None:
    acknowledge(
        notifications,
        "Serverless::Serverless-SNSRedrivePolicy",
        "Only the optional email subscriptions exist; a message SNS cannot deliver by email is "
        "still in the function's logs (one line per failed job), and the alarms fire regardless.",
    )
    for queue_owner in (janitor, schedule):
        acknowledge(
            queue_owner,
            "AwsSolutions::AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination (Lambda on-failure destination or the "
            "scheduler's DLQ); a DLQ for a DLQ would only move the same parked events again.",
        )
        acknowledge(
            queue_owner,
            "Serverless::Serverless-SQSRedrivePolicy",
            "This queue is itself the dead-letter destination; nothing consumes it, so there is no "
            "redrive to configure. The monitoring alarm fires on its first message.",
        )
    acknowledge(
        janitor,
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "Only bedrock:ListEvaluationJobs and tag:GetResources (IAM defines no resource type for "
        "either) and X-Ray's PutTraceSegments/PutTelemetryRecords (no resource types either) use "
        "Resource '*'.",
    )
    acknowledge(
        janitor,
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:evaluation-job/*]",
        "The janitor's job is to delete evaluation jobs that did not exist at deploy time, so it must "
        "address every evaluation job of this account and region; the retain tag is enforced by an "
        "explicit Deny on the same resource.",
    )
    acknowledge(
        janitor,
        "Serverless::Serverless-LambdaDLQ",
        "Failed asynchronous invocations go to an on-failure destination queue, which records the "
        "error and the request context (a DLQ would keep only the event).",
    )
    # The scheduler target's role is created at stack level, outside the NightlySchedule construct.
    acknowledge(
        stack,
        "AwsSolutions::AwsSolutions-IAM5[Resource::<JanitorFunction820277F8.Arn>:*]",
        "Added by the scheduler's LambdaInvoke target: it lets the schedule invoke versions and "
        "aliases of this one function, nothing else.",
    )
