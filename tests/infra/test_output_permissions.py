"""deleteOutputs in the template: the role may list and delete objects in exactly the listed
buckets (no wildcard bucket), read each job's output location, and nothing more; off, nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.config import ConfigError, load_config
from tests.infra.synthesis import DEFAULT_CONTEXT, ORGANIZATION, Synth, role_statements

BUCKETS = "eval-results,team-b-evals"


def by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in statements if "Sid" in statement}


def bucket_arn(bucket: str, suffix: str = "") -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{bucket}{suffix}"]]}


def test_by_default_the_role_has_no_s3_and_no_get_evaluation_job(template: Template) -> None:
    text = json.dumps(role_statements(template, "JanitorRole"))
    assert "s3:" not in text
    assert "bedrock:GetEvaluationJob" not in text


def test_with_delete_outputs_the_role_lists_and_deletes_in_exactly_the_listed_buckets(synth: Synth) -> None:
    statements = by_sid(role_statements(synth(deleteOutputs="true", outputBuckets=BUCKETS), "JanitorRole"))

    assert statements["ListEvaluationJobOutputs"]["Action"] == "s3:ListBucket"
    assert statements["ListEvaluationJobOutputs"]["Resource"] == [
        bucket_arn("eval-results"),
        bucket_arn("team-b-evals"),
    ]
    assert statements["DeleteEvaluationJobOutputs"]["Action"] == "s3:DeleteObject"
    assert statements["DeleteEvaluationJobOutputs"]["Resource"] == [
        bucket_arn("eval-results", "/*"),
        bucket_arn("team-b-evals", "/*"),
    ]
    assert statements["ReadWhereEachJobSavedItsOutputs"]["Action"] == "bedrock:GetEvaluationJob"
    every_s3_resource = json.dumps(
        [s["Resource"] for s in statements.values() if "s3:" in json.dumps(s["Action"])]
    )
    assert ":s3:::*" not in every_s3_resource, "no wildcard bucket"
    assert "kms:" not in json.dumps(statements["DeleteEvaluationJobOutputs"]), "a delete reads nothing"


def test_delete_output_versions_adds_the_version_actions_only(synth: Synth) -> None:
    statements = by_sid(
        role_statements(
            synth(deleteOutputs="true", outputBuckets="eval-results", deleteOutputVersions="true"),
            "JanitorRole",
        )
    )

    assert statements["ListEvaluationJobOutputs"]["Action"] == ["s3:ListBucket", "s3:ListBucketVersions"]
    assert statements["DeleteEvaluationJobOutputs"]["Action"] == ["s3:DeleteObject", "s3:DeleteObjectVersion"]


def test_the_member_role_gets_the_same_output_statements(synth: Synth) -> None:
    template = synth(**ORGANIZATION, deleteOutputs="true", outputBuckets="eval-results")
    [stack_set] = template.find_resources("AWS::CloudFormation::StackSet").values()
    member = json.loads(stack_set["Properties"]["TemplateBody"])
    [policy] = [r for r in member["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    sids = {s.get("Sid") for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert {
        "ListEvaluationJobOutputs",
        "DeleteEvaluationJobOutputs",
        "ReadWhereEachJobSavedItsOutputs",
    } <= sids


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"deleteOutputs": "true"}, "outputBuckets: is required with deleteOutputs=true"),
        (
            {"deleteOutputs": "true", "outputBuckets": "Bad_Bucket"},
            "outputBuckets: Bad_Bucket is not an S3 bucket name",
        ),
        ({"deleteOutputs": "yes"}, "deleteOutputs: must be 'true' or 'false'"),
    ],
)
def test_a_bad_output_setting_stops_synth_naming_the_key(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_config({**DEFAULT_CONTEXT, **overrides}.get)
