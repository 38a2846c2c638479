"""Alarms that can reach the people, and one dashboard per region, read from the synthesized template.

moto creates no alarms and no dashboards, so these template tests are their proof.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from app import STACK_NAME
from tests.infra.synthesis import logical_id, only

#: Every alarm of the stack is named with this; the topic and its key admit CloudWatch for these only.
ALARM_NAME_PREFIX = f"{STACK_NAME}-"
ALARM_NAMES = {
    ALARM_NAME_PREFIX + name
    for name in ("JobsFailed", "Errors", "OnFailureQueue", "SchedulerDeadLetterQueue", "Heartbeat")
}
#: CloudWatch acts for this account's alarms named with the prefix, in the stack's own region.
FROM_THIS_STACKS_ALARMS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnLike": {
        "aws:SourceArn": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":cloudwatch:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    f":alarm:{ALARM_NAME_PREFIX}*",
                ],
            ]
        }
    },
}


def test_cloudwatch_may_publish_to_the_topic_for_this_stacks_alarms_only(template: Template) -> None:
    # A topic policy replaces SNS's default one: without this Allow, the alarms fire into nothing.
    topic = logical_id(template, "AWS::SNS::Topic", "Topic")
    statements = only(template, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
    assert [s for s in statements if s["Effect"] == "Allow"] == [
        {
            "Sid": "AllowCloudWatchAlarmsToPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": {"Ref": topic},
            "Condition": FROM_THIS_STACKS_ALARMS,
        }
    ]


def test_cloudwatch_may_use_the_topic_key_as_aws_documents_it(template: Template) -> None:
    # AWS's example for encrypted topics has no aws:SourceArn/SourceAccount condition on the key:
    # that they reach KMS on CloudWatch's call is not documented, and a condition on a key that
    # is absent from the request would drop every alarm. The topic policy carries them.
    statements = only(template, "AWS::KMS::Key")["KeyPolicy"]["Statement"]
    assert [s for s in statements if s.get("Sid") == "AllowCloudWatchAlarmsToPublish"] == [
        {
            "Sid": "AllowCloudWatchAlarmsToPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        }
    ]


def test_every_alarm_is_named_with_the_admitted_prefix_and_notifies_exactly_the_topic(
    template: Template,
) -> None:
    topic = logical_id(template, "AWS::SNS::Topic", "Topic")
    alarms = [alarm["Properties"] for alarm in template.find_resources("AWS::CloudWatch::Alarm").values()]
    assert {alarm.get("AlarmName") for alarm in alarms} == ALARM_NAMES
    for alarm in alarms:
        assert alarm["AlarmName"].startswith(ALARM_NAME_PREFIX)
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert "OKActions" not in alarm
        assert "InsufficientDataActions" not in alarm


def evaluate(value: Any, template: Template, region: str, partition: str = "aws") -> Any:
    """What CloudFormation makes of `value` in `region`: Fn::Join, Fn::FindInMap, pseudo
    parameters, a dashboard's Ref."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(evaluate(part, template, region, partition) for part in parts)
    if isinstance(value, dict) and "Fn::FindInMap" in value:
        mapping, first, second = value["Fn::FindInMap"]
        key = evaluate(first, template, region, partition)
        return template.to_json()["Mappings"][mapping][key][second]
    if isinstance(value, dict) and "Ref" in value:
        if value["Ref"] == "AWS::Region":
            return region
        if value["Ref"] == "AWS::Partition":
            return partition
        dashboards = template.find_resources("AWS::CloudWatch::Dashboard")
        # A dashboard's Ref is its name.
        return evaluate(dashboards[value["Ref"]]["Properties"]["DashboardName"], template, region)
    assert isinstance(value, str), f"cannot evaluate {value!r}"
    return value


def test_the_same_template_in_two_regions_of_one_account_names_two_dashboards(template: Template) -> None:
    # Dashboards are global to an account: one name in two regions would fail the second deploy.
    [dashboard] = template.find_resources("AWS::CloudWatch::Dashboard").values()
    output = template.find_outputs("DashboardUrl")["DashboardUrl"]["Value"]
    names = {}
    for region in ("us-east-1", "eu-central-1"):
        name = evaluate(dashboard["Properties"]["DashboardName"], template, region)
        assert evaluate(output, template, region) == (
            f"https://console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}"
        )
        names[region] = name
    assert names == {
        "us-east-1": f"{STACK_NAME}-us-east-1",
        "eu-central-1": f"{STACK_NAME}-eu-central-1",
    }


@pytest.mark.parametrize(
    ("partition", "region", "console"),
    [
        ("aws", "eu-central-1", "console.aws.amazon.com"),
        ("aws-cn", "cn-north-1", "console.amazonaws.cn"),
        ("aws-us-gov", "us-gov-west-1", "console.amazonaws-us-gov.com"),
    ],
)
def test_the_dashboard_link_uses_the_console_of_the_stacks_partition(
    template: Template, partition: str, region: str, console: str
) -> None:
    output = template.find_outputs("DashboardUrl")["DashboardUrl"]["Value"]
    link = evaluate(output, template, region, partition)
    assert link.startswith(f"https://{console}/cloudwatch/home?region={region}#dashboards:name=")


@pytest.mark.parametrize(
    "metric", ["JobsDeleted", "JobsFailed", "JobsEligible", "JobsScanned", "Duration", "Errors", "Throttles"]
)
def test_the_dashboard_shows_jobs_duration_errors_and_throttles(template: Template, metric: str) -> None:
    body = json.dumps(only(template, "AWS::CloudWatch::Dashboard")["DashboardBody"])
    assert f'\\\\"{metric}\\\\"' in body or f'\\"{metric}\\"' in body, metric
