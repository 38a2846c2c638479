"""What the janitor may do in an account, in one place: the hub function's role and every member
role (infra/member_role.py) carry exactly these statements, the retain-tag Deny included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam

from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

KIND = EVALUATION_JOBS


def evaluation_job_arns(stack: Stack, target_regions: Sequence[str]) -> list[str]:
    """The evaluation jobs of this account in each target Region (default: the stack's own)."""
    regions = list(target_regions) or [stack.region]
    return [
        stack.format_arn(
            service=KIND.service, region=region, resource=KIND.arn_resource_type, resource_name="*"
        )
        for region in regions
    ]


@dataclass(frozen=True)
class OutputPermissions:
    """Deleting the jobs' S3 outputs (deleteOutputs): in exactly these buckets."""

    buckets: Sequence[str]
    #: deleteOutputVersions: every version under a job's prefix, not just a delete marker.
    all_versions: bool = False


def cleanup_statements(
    evaluation_jobs: Sequence[str],
    retain_tag_key: str,
    batched_tag_lookups: bool,
    outputs: OutputPermissions | None = None,
) -> list[iam.PolicyStatement]:
    """List evaluation jobs, read their tags, delete them, never a retained one; with `outputs`,
    read where each saved its outputs and delete those, in the listed buckets only.

    `evaluation_jobs`: the evaluation-job ARN patterns the role may act on (one per Region).
    """
    statements = [
        iam.PolicyStatement(
            sid="ListEvaluationJobs",
            # ListEvaluationJobs has no resource type in IAM, so it cannot be narrowed.
            actions=[KIND.iam_action(KIND.list_operation)],
            resources=["*"],
        )
    ]
    if batched_tag_lookups:
        statements.append(
            iam.PolicyStatement(
                sid="ReadTagsInBatches",
                # tag:GetResources has no resource type either; it answers only for what the
                # function names in ResourceARNList, and reads tags, nothing more.
                actions=["tag:GetResources"],
                resources=["*"],
            )
        )
    statements += [
        iam.PolicyStatement(
            sid="ReadTagsAndDeleteEvaluationJobs",
            actions=[KIND.iam_action(KIND.tags_operation), KIND.iam_action(KIND.delete_operation)],
            resources=list(evaluation_jobs),
        ),
        iam.PolicyStatement(
            sid="NeverDeleteRetainedJobs",
            # Holds even if the code's own retain-tag check were wrong.
            effect=iam.Effect.DENY,
            actions=[KIND.iam_action(KIND.delete_operation)],
            resources=list(evaluation_jobs),
            conditions={"StringEqualsIgnoreCase": {f"aws:ResourceTag/{retain_tag_key}": "true"}},
        ),
    ]
    if outputs is not None:
        statements += _output_statements(evaluation_jobs, outputs)
    return statements


def _output_statements(
    evaluation_jobs: Sequence[str], outputs: OutputPermissions
) -> list[iam.PolicyStatement]:
    buckets = [f"arn:{Aws.PARTITION}:s3:::{bucket}" for bucket in sorted(outputs.buckets)]
    # Only buckets this account owns (the hub's, or in a member role the member's): a bucket of
    # the same name in another account is refused by IAM too, not only by ExpectedBucketOwner.
    own_buckets = {"StringEquals": {"s3:ResourceAccount": Aws.ACCOUNT_ID}}
    return [
        iam.PolicyStatement(
            sid="ReadWhereEachJobSavedItsOutputs",
            actions=[KIND.iam_action(KIND.get_operation)],
            resources=list(evaluation_jobs),
        ),
        iam.PolicyStatement(
            sid="ListEvaluationJobOutputs",
            actions=["s3:ListBucket", *(["s3:ListBucketVersions"] if outputs.all_versions else [])],
            resources=buckets,
            conditions=own_buckets,
        ),
        iam.PolicyStatement(
            sid="DeleteEvaluationJobOutputs",
            # Object keys are per job and made after deployment; the code deletes only under a
            # deleted job's own prefix (janitor.outputs.locations). No kms:Decrypt: a delete reads nothing.
            actions=["s3:DeleteObject", *(["s3:DeleteObjectVersion"] if outputs.all_versions else [])],
            resources=[f"{bucket}/*" for bucket in buckets],
            conditions=own_buckets,
        ),
    ]
