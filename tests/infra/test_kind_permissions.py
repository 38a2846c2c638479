"""The role may do exactly what the enabled kinds need, for every combination of kinds: each
kind's list, tag read and delete on its own resources, the retain-tag Deny where IAM supports it,
and tag:GetResources where a kind has no tag read of its own. Nothing for a kind not enabled."""

from __future__ import annotations

import itertools
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.cleanup_permissions import cleanup_statements
from infra.member_role import member_role_template
from janitor.core.kind import Kind
from janitor.kinds import KINDS
from tests.infra.synthesis import Synth, logical_id

COMBINATIONS = [
    combination
    for size in range(1, len(KINDS) + 1)
    for combination in itertools.combinations(KINDS.values(), size)
]


def statements(kinds: tuple[Kind, ...], batched: bool) -> list[dict[str, Any]]:
    stack = cdk.Stack(cdk.App(), "Role", env=cdk.Environment(account="123456789012", region="us-east-1"))
    return [
        stack.resolve(statement.to_statement_json())
        for statement in cleanup_statements(stack, kinds, [], "janitor:retain", batched)
    ]


def actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


@pytest.mark.parametrize("kinds", COMBINATIONS, ids=lambda kinds: "+".join(kind.name for kind in kinds))
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "perJob"])
def test_the_role_allows_exactly_the_enabled_kinds_calls_on_their_own_resources(
    kinds: tuple[Kind, ...], batched: bool
) -> None:
    found = statements(kinds, batched)
    allowed = set().union(*(actions(s) for s in found if s["Effect"] == "Allow"))
    expected = {kind.iam_action(kind.list_operation) for kind in kinds}
    expected |= {kind.iam_action(kind.delete_operation) for kind in kinds}
    expected |= {kind.iam_action(kind.tags_operation) for kind in kinds if kind.tags_operation}
    if batched or any(kind.tags_operation is None for kind in kinds):
        expected.add("tag:GetResources")
    assert allowed == expected
    for kind in kinds:
        [delete] = [
            s
            for s in found
            if s["Effect"] == "Allow" and kind.iam_action(kind.delete_operation) in actions(s)
        ]
        assert delete["Resource"] == {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    f":{kind.service}:us-east-1:123456789012:{kind.arn_resource_type}/*",
                ],
            ]
        }, "a delete acts on the kind's own resources only, in the deployment's partition"
    denies = [s for s in found if s["Effect"] == "Deny"]
    assert {action for s in denies for action in actions(s)} == {
        kind.iam_action(kind.delete_operation) for kind in kinds if kind.retain_tag_deny
    }
    for deny in denies:
        assert deny["Condition"] == {"StringEqualsIgnoreCase": {"aws:ResourceTag/janitor:retain": "true"}}


def hub_statements(template: Template) -> list[dict[str, Any]]:
    [policy] = [
        p["Properties"]
        for p in template.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": logical_id(template, "AWS::IAM::Role", "JanitorRole")}]
    ]
    result: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return result


def test_a_deployment_of_every_kind_gives_its_function_and_member_roles_every_kinds_statements(
    synth: Synth,
) -> None:
    template = synth(kinds="evaluationJobs,promptOptimizationJobs,batchEvaluations")
    sids = {statement.get("Sid") for statement in hub_statements(template)}
    assert {
        "ListEvaluationJobs",
        "ListPromptOptimizationJobs",
        "ListBatchEvaluations",
        "ReadTagsAndDeleteEvaluationJobs",
        "ReadTagsAndDeletePromptOptimizationJobs",
        "ReadTagsAndDeleteBatchEvaluations",
        "NeverDeleteRetainedEvaluationJobs",
        "ReadTagsInBatches",
    } <= sids
    [dashboard] = template.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for kind in KINDS:
        assert f'\\"Kind\\",\\"{kind}\\"' in body, f"the dashboard graphs {kind}"
    member = member_role_template(
        retain_tag_key="janitor:retain",
        kinds=list(KINDS.values()),
        batched_tag_lookups=False,
        regions=["us-east-1"],
        organization_id=None,
    )
    [role_policy] = [
        resource["Properties"]
        for resource in member["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
    ]
    member_sids = {statement.get("Sid") for statement in role_policy["PolicyDocument"]["Statement"]}
    assert "ListBatchEvaluations" in member_sids
    assert "ReadTagsInBatches" in member_sids, "batch evaluations' tags come only from GetResources"


def test_an_unknown_kind_fails_synth_naming_the_key_and_the_kinds(synth: Synth) -> None:
    with pytest.raises(Exception, match=r"kinds.*unknown kind evalJobs.*evaluationJobs"):
        synth(kinds="evalJobs")
