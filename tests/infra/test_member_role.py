"""The member role's template: one role, trusting only the hub function's role (and only inside
the organization), with exactly the hub's cleanup permissions; deployable in an unbootstrapped
account; cdk-nag clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.member_role import MEMBER_ROLE_NAME, MemberRoleStack, member_role_template
from tests.infra.synthesis import evaluation_jobs_arn, only

ORGANIZATION_ID = "o-a1b2c3d4e5"
REGIONS = ("us-east-1", "eu-west-1")
#: The hub account's root, taken from the HubRoleArn parameter.
HUB_ACCOUNT = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":iam::",
            {"Fn::Select": [4, {"Fn::Split": [":", {"Ref": "HubRoleArn"}]}]},
            ":root",
        ],
    ]
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return member_role_template(
        retain_tag_key="janitor:retain",
        batched_tag_lookups=True,
        regions=REGIONS,
        organization_id=ORGANIZATION_ID,
    )


def test_it_holds_one_named_role_and_its_policy_and_nothing_an_unbootstrapped_account_lacks(
    template: dict[str, Any],
) -> None:
    assert sorted(resource["Type"] for resource in template["Resources"].values()) == [
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
    ]
    assert set(template.get("Parameters", {})) == {"HubRoleArn"}, "no BootstrapVersion parameter"
    assert "Rules" not in template, "no CheckBootstrapVersion rule"
    assert only(Template.from_json(template), "AWS::IAM::Role")["RoleName"] == MEMBER_ROLE_NAME


def test_only_the_hub_functions_role_inside_the_organization_may_assume_it(template: dict[str, Any]) -> None:
    role = only(Template.from_json(template), "AWS::IAM::Role")

    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": HUB_ACCOUNT},
            "Condition": {
                "ArnEquals": {"aws:PrincipalArn": {"Ref": "HubRoleArn"}},
                "StringEquals": {"aws:PrincipalOrgID": ORGANIZATION_ID},
            },
        }
    ]
    assert role["MaxSessionDuration"] == 3600


def test_it_trusts_the_hub_role_by_arn_so_a_recreated_hub_role_is_still_admitted(
    template: dict[str, Any],
) -> None:
    # A role ARN as the principal is stored as the role's unique id: a hub role deleted and
    # created again would match no member role. The hub account with an ARN condition does.
    [trust] = only(Template.from_json(template), "AWS::IAM::Role")["AssumeRolePolicyDocument"]["Statement"]
    assert "HubRoleArn" not in json.dumps(trust["Principal"]["AWS"]["Fn::Join"][1][:3])
    assert trust["Principal"]["AWS"]["Fn::Join"][1][3] == {
        "Fn::Select": [4, {"Fn::Split": [":", {"Ref": "HubRoleArn"}]}]
    }, "the hub account, taken from the hub role's ARN"


def test_its_description_names_the_member_account(template: dict[str, Any]) -> None:
    description = only(Template.from_json(template), "AWS::IAM::Role")["Description"]
    assert {"Ref": "AWS::AccountId"} in description["Fn::Join"][1]


def test_its_permissions_are_the_hubs_cleanup_statements_on_the_member_accounts_jobs(
    template: dict[str, Any],
) -> None:
    statements = only(Template.from_json(template), "AWS::IAM::Policy")["PolicyDocument"]["Statement"]
    jobs = [evaluation_jobs_arn(region) for region in sorted(REGIONS)]
    assert statements == [
        {
            "Sid": "ListEvaluationJobs",
            "Action": "bedrock:ListEvaluationJobs",
            "Effect": "Allow",
            "Resource": "*",
        },
        {"Sid": "ReadTagsInBatches", "Action": "tag:GetResources", "Effect": "Allow", "Resource": "*"},
        {
            "Sid": "ReadTagsAndDeleteEvaluationJobs",
            "Action": ["bedrock:ListTagsForResource", "bedrock:BatchDeleteEvaluationJob"],
            "Effect": "Allow",
            "Resource": jobs,
        },
        {
            "Sid": "NeverDeleteRetainedEvaluationJobs",
            "Action": "bedrock:BatchDeleteEvaluationJob",
            "Effect": "Deny",
            "Resource": jobs,
            "Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/janitor:retain": "true"}},
        },
    ]


def test_without_an_organization_it_trusts_the_hub_role_alone_and_per_job_lookups_need_no_tag_api() -> None:
    template = member_role_template(
        retain_tag_key="janitor:retain",
        batched_tag_lookups=False,
        regions=["us-east-1"],
        organization_id=None,
    )
    parsed = Template.from_json(template)

    [trust] = only(parsed, "AWS::IAM::Role")["AssumeRolePolicyDocument"]["Statement"]
    assert trust == {
        "Action": "sts:AssumeRole",
        "Effect": "Allow",
        "Principal": {"AWS": HUB_ACCOUNT},
        "Condition": {"ArnEquals": {"aws:PrincipalArn": {"Ref": "HubRoleArn"}}},
    }
    actions = [s["Action"] for s in only(parsed, "AWS::IAM::Policy")["PolicyDocument"]["Statement"]]
    assert "tag:GetResources" not in actions


def test_cdk_nag_finds_nothing_unacknowledged_and_every_acknowledgement_has_a_reason(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    MemberRoleStack(
        app,
        "Member",
        retain_tag_key="janitor:retain",
        batched_tag_lookups=True,
        regions=REGIONS,
        organization_id=ORGANIZATION_ID,
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    app.synth()

    report = json.loads((tmp_path / "validation-report.json").read_text())
    [plugin] = report["pluginReports"]
    assert (plugin["conclusion"], plugin["violations"]) == ("success", [])
    assert all(len(suppressed["reason"]) > 80 for suppressed in plugin["suppressedViolations"])


def test_cfn_lint_passes_on_it(template: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "member.template.json"
    path.write_text(json.dumps(template))

    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
