"""deleteOutputs in IAM: the role may list and delete only in buckets its own account owns
(`s3:ResourceAccount`), in the hub and in every member role alike, so a bucket of the same name
in another account is refused by IAM as well as by the code's ExpectedBucketOwner."""

from __future__ import annotations

import json
from typing import Any

from tests.infra.synthesis import ORGANIZATION, Synth, role_statements

OWN_ACCOUNT = {"StringEquals": {"s3:ResourceAccount": {"Ref": "AWS::AccountId"}}}
SIDS = ("ListEvaluationJobOutputs", "DeleteEvaluationJobOutputs")


def by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in statements if "Sid" in statement}


def test_the_roles_s3_statements_hold_only_in_buckets_of_its_own_account(synth: Synth) -> None:
    template = synth(
        **ORGANIZATION, deleteOutputs="true", outputBuckets="eval-results", deleteOutputVersions="true"
    )
    hub = by_sid(role_statements(template, "JanitorRole"))
    [stack_set] = template.find_resources("AWS::CloudFormation::StackSet").values()
    member_template = json.loads(stack_set["Properties"]["TemplateBody"])
    [policy] = [r for r in member_template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    member = by_sid(policy["Properties"]["PolicyDocument"]["Statement"])

    for statements in (hub, member):
        assert [statements[sid].get("Condition") for sid in SIDS] == [OWN_ACCOUNT, OWN_ACCOUNT]
        on_outputs = [s for s in statements.values() if "eval-results" in json.dumps(s.get("Resource"))]
        assert {s["Sid"] for s in on_outputs} == set(SIDS), "no other statement on the output buckets"
