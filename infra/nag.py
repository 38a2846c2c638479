"""cdk-nag findings reviewed and accepted, each with the reason a reviewer would want."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import Construct

from janitor.core.kind import Kind

from .cleanup_permissions import OutputPermissions
from .config import JanitorConfig
from .janitor_function import JanitorFunction
from .notifications import FailureNotifications
from .organization_run import OrganizationRun
from .schedule import NightlySchedule


def acknowledge(scope: Construct, rule: str, reason: str) -> None:
    """Accept cdk-nag's `rule` under `scope`, for `reason` (shown in the validation report)."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_reviewed_findings(
    stack: Stack,
    janitor: JanitorFunction,
    schedule: NightlySchedule,
    notifications: FailureNotifications,
    *extra_queue_owners: Construct,
) -> None:
    acknowledge(
        notifications,
        "Serverless::Serverless-SNSRedrivePolicy",
        "Only the optional email subscriptions exist; a message SNS cannot deliver by email is "
        "still in the function's logs (one line per failed job), and the alarms fire regardless.",
    )
    for queue_owner in (janitor, schedule, *extra_queue_owners):
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
        "Only the kinds' list calls and tag:GetResources (IAM defines no resource type for "
        "either), X-Ray's PutTraceSegments/PutTelemetryRecords (no resource types either) and, with "
        "organizationUnits, the read-only organizations:DescribeAccount and ListParents (the "
        "management account's ARNs are not known here) use Resource '*'.",
    )
    acknowledge(
        janitor,
        "Serverless::Serverless-LambdaDLQ",
        "Failed asynchronous invocations go to an on-failure destination queue, which records the "
        "error and the request context (a DLQ would keep only the event).",
    )
    # The scheduler target's role is created at stack level, outside the NightlySchedule construct.
    function = stack.get_logical_id(janitor.function.node.default_child)  # type: ignore[arg-type]
    acknowledge(
        stack,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::<{function}.Arn>:*]",
        "Added by the scheduler's LambdaInvoke target: it lets the schedule invoke versions and "
        "aliases of this one function, nothing else.",
    )


def acknowledge_organization_run_findings(
    stack: Stack, janitor: JanitorFunction, organization_run: OrganizationRun, config: JanitorConfig
) -> None:
    """The organization mode's resources (infra/organization_run.py) and the hub role's additions."""
    acknowledge(
        janitor,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/{config.member_role_name}]",
        "The member role's name in any account: accounts join the organization after deployment. "
        "Which accounts admit this function is decided by each member role's trust policy "
        "(this role's ARN and aws:PrincipalOrgID).",
    )
    results = organization_run.results.node.default_child
    bucket_objects = f"<{stack.get_logical_id(results)}.Arn>/runs/*"  # type: ignore[arg-type]
    acknowledge(
        organization_run,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::{bucket_objects}]",
        "A run's objects are named after the run, which starts after deployment; only the runs/ "
        "prefix of the stack's own results bucket is writable.",
    )
    acknowledge(
        janitor,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::{bucket_objects}]",
        "Each target's result object is named after the run and the target; only the runs/ prefix "
        "of the stack's own results bucket is writable (s3:PutObject only).",
    )
    acknowledge(
        organization_run,
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "organizations:ListChildren and ListAccountsForParent (read-only; the management account's "
        "ARNs are not known here) and X-Ray's PutTraceSegments/PutTelemetryRecords, which have no "
        "resource types.",
    )
    coordinator = stack.get_logical_id(organization_run.coordinator.node.default_child)  # type: ignore[arg-type]
    for owner in (organization_run, stack):
        acknowledge(
            owner,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{coordinator}.Arn>:*]",
            "Added by the CDK's Lambda invoke task and scheduler target: versions and aliases of the "
            "coordinator function, nothing else.",
        )
    acknowledge(
        organization_run,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<{stack.get_logical_id(results)}>/*]",  # type: ignore[arg-type]
        "Added by the CDK's Distributed Map for its item reader and result writer: the stack's own "
        "results bucket only.",
    )
    acknowledge(
        organization_run,
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
        'execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"'
        + stack.get_logical_id(organization_run.state_machine.node.default_child)  # type: ignore[arg-type]
        + '"}]}]}:*]',
        "Added by the CDK's Distributed Map: the state machine's own child executions, named at run time.",
    )
    acknowledge(
        organization_run,
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
        'execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"'
        + stack.get_logical_id(organization_run.state_machine.node.default_child)  # type: ignore[arg-type]
        + '"}]}]}/*:*]',
        "Added by the CDK's Distributed Map: the state machine's own child executions, named at run time.",
    )
    acknowledge(
        organization_run,
        "AwsSolutions::AwsSolutions-S1",
        "The results bucket holds the janitor's own run summaries, written and read only by this "
        "stack's roles; CloudTrail data events are the place to audit it if required. Server "
        "access logs would need a second bucket for little gain.",
    )
    acknowledge(
        organization_run,
        "Serverless::Serverless-LambdaDLQ",
        "The coordinator's failed asynchronous starts go to an on-failure destination queue, which "
        "records the error and the request context (a DLQ would keep only the event).",
    )


def acknowledge_output_findings(role_owner: Construct, outputs: OutputPermissions | None) -> None:
    """deleteOutputs: object deletes in each listed bucket (infra/cleanup_permissions.py)."""
    for bucket in sorted(outputs.buckets if outputs is not None else ()):
        acknowledge(
            role_owner,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket}/*]",
            "Evaluation jobs write their outputs under keys made at run time (<s3Uri>/<jobName>/<jobId>/); "
            "the role may delete objects in the buckets the deployment lists, and the code deletes only "
            "under a deleted job's own prefix (janitor.outputs.locations).",
        )


def acknowledge_kind_findings(role_owner: Construct, kinds: Sequence[Kind], regions: Sequence[str]) -> None:
    """Each cleaned kind's resources of the account in each Region (infra/cleanup_permissions.py),
    for the hub function's role and every member role; no Regions named: the stack's own."""
    for kind in kinds:
        for region in sorted(regions) or ["<AWS::Region>"]:
            acknowledge(
                role_owner,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:{kind.service}:{region}:"
                f"<AWS::AccountId>:{kind.arn_resource_type}/*]",
                f"The janitor deletes {kind.plural} that did not exist when its role was deployed, so "
                f"it must address every {kind.noun} of the account in the Region; the retain tag is "
                + (
                    "enforced by an explicit Deny on the same resource."
                    if kind.retain_tag_deny
                    else "checked by the code (IAM documents no aws:ResourceTag key for this delete)."
                ),
            )
