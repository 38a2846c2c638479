"""What the janitor may do in an account, in one place: the hub function's role and every member
role (infra/member_role.py) carry exactly these statements, the retain-tag Deny included."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam


def cleanup_statements(
    evaluation_jobs: Sequence[str], retain_tag_key: str, batched_tag_lookups: bool
) -> list[iam.PolicyStatement]:
    """List evaluation jobs, read their tags, delete them, never a retained one.

    `evaluation_jobs`: the evaluation-job ARN patterns the role may act on (one per Region).
    """
    statements = [
        iam.PolicyStatement(
            sid="ListEvaluationJobs",
            # ListEvaluationJobs has no resource type in IAM, so it cannot be narrowed.
            actions=["bedrock:ListEvaluationJobs"],
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
            actions=["bedrock:ListTagsForResource", "bedrock:BatchDeleteEvaluationJob"],
            resources=list(evaluation_jobs),
        ),
        iam.PolicyStatement(
            sid="NeverDeleteRetainedJobs",
            # Holds even if the code's own retain-tag check were wrong.
            effect=iam.Effect.DENY,
            actions=["bedrock:BatchDeleteEvaluationJob"],
            resources=list(evaluation_jobs),
            conditions={"StringEqualsIgnoreCase": {f"aws:ResourceTag/{retain_tag_key}": "true"}},
        ),
    ]
    return statements
