"""What the janitor may do in an account, in one place: the hub function's role and every member
role (infra/member_role.py) carry exactly these statements, the retain-tag Deny included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam

from janitor.core.kind import Kind
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS


def pascal(kind: Kind) -> str:
    """`evaluationJobs` -> `EvaluationJobs`, for statement ids."""
    return kind.name[0].upper() + kind.name[1:]


def kind_arns(stack: Stack, kind: Kind, target_regions: Sequence[str]) -> list[str]:
    """Every resource of `kind` in this account, in each target Region (default: the stack's own)."""
    regions = list(target_regions) or [stack.region]
    return [
        stack.format_arn(
            service=kind.service, region=region, resource=kind.arn_resource_type, resource_name="*"
        )
        for region in regions
    ]


def evaluation_job_arns(stack: Stack, target_regions: Sequence[str]) -> list[str]:
    """The evaluation jobs of this account in each target Region (DELETE_OUTPUTS reads them)."""
    return kind_arns(stack, EVALUATION_JOBS, target_regions)


@dataclass(frozen=True)
class OutputPermissions:
    """Deleting the jobs' S3 outputs (deleteOutputs): in exactly these buckets."""

    buckets: Sequence[str]
    #: deleteOutputVersions: every version under a job's prefix, not just a delete marker.
    all_versions: bool = False


def needs_tag_index(kinds: Sequence[Kind], batched_tag_lookups: bool) -> bool:
    """tag:GetResources: with tagLookup=batched, or for a kind whose service has no tag read."""
    return batched_tag_lookups or any(kind.tags_operation is None for kind in kinds)


def cleanup_statements(
    stack: Stack,
    kinds: Sequence[Kind],
    target_regions: Sequence[str],
    retain_tag_key: str,
    batched_tag_lookups: bool,
    outputs: OutputPermissions | None = None,
) -> list[iam.PolicyStatement]:
    """For each of `kinds`: list, read tags, delete, never a retained one where IAM can say so;
    with `outputs`, read where each evaluation job saved its outputs and delete those, in the
    listed buckets only. Nothing for a kind the deployment does not clean."""
    statements = [
        iam.PolicyStatement(
            sid=f"List{pascal(kind)}",
            # A list call is not narrowed: ListEvaluationJobs has no resource type in IAM, and
            # a list only reads. Deletes are narrowed to the kind's resources below.
            actions=[kind.iam_action(kind.list_operation)],
            resources=["*"],
        )
        for kind in kinds
    ]
    if needs_tag_index(kinds, batched_tag_lookups):
        statements.append(
            iam.PolicyStatement(
                sid="ReadTagsInBatches",
                # tag:GetResources has no resource type either; it answers only for what the
                # function names in ResourceARNList, and reads tags, nothing more.
                actions=["tag:GetResources"],
                resources=["*"],
            )
        )
    for kind in kinds:
        resources = kind_arns(stack, kind, target_regions)
        tag_read = [kind.iam_action(kind.tags_operation)] if kind.tags_operation else []
        statements.append(
            iam.PolicyStatement(
                sid=f"ReadTagsAndDelete{pascal(kind)}",
                actions=[*tag_read, kind.iam_action(kind.delete_operation)],
                resources=resources,
            )
        )
        if kind.retain_tag_deny:
            statements.append(
                iam.PolicyStatement(
                    sid=f"NeverDeleteRetained{pascal(kind)}",
                    # Holds even if the code's own retain-tag check were wrong.
                    effect=iam.Effect.DENY,
                    actions=[kind.iam_action(kind.delete_operation)],
                    resources=resources,
                    conditions={"StringEqualsIgnoreCase": {f"aws:ResourceTag/{retain_tag_key}": "true"}},
                )
            )
    if outputs is not None and any(kind.has_outputs for kind in kinds):
        statements += _output_statements(evaluation_job_arns(stack, target_regions), outputs)
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
            actions=[EVALUATION_JOBS.iam_action(EVALUATION_JOBS.get_operation)],
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
