"""The organization and multi-Region modes' template: the state machine, the StackSet, the hub's
roles and alarms (moto runs the state machine, tests/integration/test_organization_run.py; IAM
trust, schedules and alarms are proven here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.config import ConfigError, load_config
from janitor.config.deployment_file import deployment_file_settings
from tests.infra.synthesis import (
    DEFAULT_CONTEXT,
    ORGANIZATION,
    ORGANIZATION_UNIT,
    Synth,
    evaluation_jobs_arn,
    logical_id,
    only,
    role_statements,
    synthesize,
)

UNIT = ORGANIZATION_UNIT
TRANSIENT_LAMBDA_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.TooManyRequestsException",
}


@pytest.fixture(scope="module")
def organization_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesize(tmp_path_factory.mktemp("cdk.out"), **ORGANIZATION)[1]


def definition(template: Template) -> dict[str, Any]:
    """The state machine's ASL with the CloudFormation references written as their logical ids."""
    joined = only(template, "AWS::StepFunctions::StateMachine")["DefinitionString"]["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else json.dumps(part).replace('"', "'") for part in joined)
    document: dict[str, Any] = json.loads(text)
    return document


def test_the_default_deployment_has_no_fan_out(template: Template) -> None:
    for resource_type in (
        "AWS::StepFunctions::StateMachine",
        "AWS::CloudFormation::StackSet",
        "AWS::S3::Bucket",
    ):
        assert template.find_resources(resource_type) == {}
    assert not any("sts:AssumeRole" in json.dumps(s) for s in role_statements(template, "JanitorRole"))
    assert "MEMBER_ROLE_NAME" not in json.dumps(template.to_json())


def test_the_state_machine_lists_fans_out_with_retries_and_a_catch_then_gathers(
    organization_template: Template,
) -> None:
    asl = definition(organization_template)
    assert asl["StartAt"] == "ListTargets"
    assert [asl["States"]["ListTargets"]["Next"], asl["States"]["CleanEachTarget"]["Next"]] == [
        "CleanEachTarget",
        "Gather",
    ]
    fan_out = asl["States"]["CleanEachTarget"]
    assert fan_out["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert fan_out["MaxConcurrency"] == 25
    assert fan_out["ToleratedFailurePercentage"] == 100
    assert fan_out["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert fan_out["ItemReader"]["Parameters"]["Key.$"] == "$.targets.key"
    assert fan_out["ItemSelector"] == {
        "target.$": "$$.Map.Item.Value",
        "organizationRun.$": "$$.Execution.Name",
    }
    assert "ResultWriter" in fan_out, "child outputs stay out of the execution's 256 KiB state"
    assert fan_out["ResultPath"] is None
    clean = fan_out["ItemProcessor"]["States"]["CleanTarget"]
    retried = {error for retry in clean["Retry"] for error in retry["ErrorEquals"]}
    assert retried == TRANSIENT_LAMBDA_ERRORS
    assert clean["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "RecordTargetFailure"}
    ]
    record = fan_out["ItemProcessor"]["States"]["RecordTargetFailure"]
    assert record["Resource"].endswith(":states:::aws-sdk:s3:putObject")
    # The key janitor.organization.results.result_key gives the target's own result.
    assert record["Parameters"]["Key.$"] == (
        "States.Format('runs/{}/results/{}-{}.json', $.organizationRun, $.target.accountId, $.target.region)"
    )
    assert record["Parameters"]["Body.$"] == "States.JsonToString($)"
    # A target caught after it recorded its result keeps that result: the write is refused.
    assert record["Parameters"]["IfNoneMatch"] == "*"
    assert record["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "ResultAlreadyRecorded"}
    ]
    assert fan_out["ItemProcessor"]["States"]["ResultAlreadyRecorded"] == {"Type": "Pass", "End": True}


def test_the_schedule_starts_the_run_named_after_its_scheduled_time(organization_template: Template) -> None:
    schedule = only(organization_template, "AWS::Scheduler::Schedule")
    coordinator = logical_id(organization_template, "AWS::Lambda::Function", "Coordinator")
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": [coordinator, "Arn"]}
    assert json.loads(schedule["Target"]["Input"]) == {
        "action": "start",
        "scheduledTime": "<aws.scheduler.scheduled-time>",
    }


def test_the_stack_set_deploys_the_member_role_to_the_units_service_managed(
    organization_template: Template,
) -> None:
    stack_set = only(organization_template, "AWS::CloudFormation::StackSet")
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["CallAs"] == "SELF"
    assert stack_set["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    [group] = stack_set["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {"OrganizationalUnitIds": [UNIT]}
    assert stack_set["OperationPreferences"]["ConcurrencyMode"] == "SOFT_FAILURE_TOLERANCE", (
        "a few accounts that refuse the role do not fail the operation and roll the hub back"
    )
    assert group["Regions"] == [{"Ref": "AWS::Region"}], "IAM is global: one Region per account"
    janitor_role = logical_id(organization_template, "AWS::IAM::Role", "JanitorRole")
    assert stack_set["Parameters"] == [
        {"ParameterKey": "HubRoleArn", "ParameterValue": {"Fn::GetAtt": [janitor_role, "Arn"]}}
    ]
    member = json.loads(stack_set["TemplateBody"])
    [role] = [r for r in member["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": {"Ref": "HubRoleArn"}},
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"},
    }
    assert not any(
        r["Type"] == "AWS::CDK::Metadata" or "Asset" in r["Type"] for r in member["Resources"].values()
    )


def test_the_hub_role_may_assume_only_the_member_role_name_and_clean_each_target_region(
    organization_template: Template,
) -> None:
    hub = role_statements(organization_template, "JanitorRole")
    [assume] = [s for s in hub if "sts:AssumeRole" in json.dumps(s["Action"])]
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/BedrockEvaluationJanitorMember"]]
    }
    [delete] = [s for s in hub if s.get("Sid") == "ReadTagsAndDeleteEvaluationJobs"]
    assert delete["Resource"] == [evaluation_jobs_arn(region) for region in ("eu-west-1", "us-east-1")]
    for role in ("CoordinatorRole", "StateMachineRole"):
        assert "sts:AssumeRole" not in json.dumps(role_statements(organization_template, role))


def test_the_coordinator_lists_the_units_and_the_janitor_only_checks_one_account(
    organization_template: Template,
) -> None:
    [enumerate_units] = [
        s
        for s in role_statements(organization_template, "CoordinatorRole")
        if "organizations:" in json.dumps(s)
    ]
    assert sorted(enumerate_units["Action"]) == [
        "organizations:ListAccountsForParent",
        "organizations:ListChildren",
    ]
    [check_one] = [
        s for s in role_statements(organization_template, "JanitorRole") if "organizations:" in json.dumps(s)
    ]
    assert sorted(check_one["Action"]) == ["organizations:DescribeAccount", "organizations:ListParents"]
    assert "organizations:" not in json.dumps(role_statements(organization_template, "StateMachineRole"))


def test_the_run_is_watched_failed_timed_out_aborted_targets_failed_and_heartbeat(
    organization_template: Template,
) -> None:
    alarms = {
        alarm["Properties"]["AlarmName"].removeprefix("BedrockEvaluationJanitor-"): alarm["Properties"]
        for alarm in organization_template.find_resources("AWS::CloudWatch::Alarm").values()
    }
    for name, metric in (
        ("RunFailed", "ExecutionsFailed"),
        ("RunTimedOut", "ExecutionsTimedOut"),
        ("RunAborted", "ExecutionsAborted"),
        ("Heartbeat", "ExecutionsSucceeded"),
    ):
        assert alarms[name]["Namespace"] == "AWS/States", name
        assert alarms[name]["MetricName"] == metric, name
    assert alarms["TargetsFailed"]["MetricName"] == "TargetsFailed"
    assert alarms["Heartbeat"]["ComparisonOperator"] == "LessThanThreshold"
    dashboard = json.dumps(only(organization_template, "AWS::CloudWatch::Dashboard"))
    assert "ExecutionsSucceeded" in dashboard
    assert '\\"Region\\",\\"eu-west-1\\"' in dashboard, "per-Region totals"


def test_one_account_several_regions_needs_no_role_anywhere_else(synth: Synth) -> None:
    template = synth(targetRegions="us-east-1,eu-west-1")
    assert template.find_resources("AWS::StepFunctions::StateMachine") != {}
    assert template.find_resources("AWS::CloudFormation::StackSet") == {}
    assert "sts:AssumeRole" not in json.dumps(role_statements(template, "JanitorRole"))
    assert "organizations:" not in json.dumps(template.to_json())
    janitor = template.find_resources("AWS::Lambda::Function")[
        logical_id(template, "AWS::Lambda::Function", "JanitorFunction")
    ]
    assert "MEMBER_ROLE_NAME" not in janitor["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"organizationUnits": "ou-1"}, "organizationUnits: ou-1 is not a root id"),
        ({"organizationUnits": UNIT}, "organizationId: required with organizationUnits"),
        ({"memberAccounts": "12345"}, "memberAccounts: 12345 is not a 12-digit account id"),
        ({"targetRegions": "mars-1"}, "targetRegions: mars-1 is not a Region name"),
        ({"organizationId": "org-1"}, "organizationId: must be an organization id"),
        ({"maxParallelTargets": "0"}, "maxParallelTargets: must be between 1 and 10000"),
        ({"stackSetCallAs": "ADMIN"}, "stackSetCallAs: must be SELF"),
    ],
)
def test_a_bad_organization_key_stops_synth_naming_it(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_config({**DEFAULT_CONTEXT, **overrides}.get)


def test_the_stack_set_leaves_the_excluded_accounts_out_of_the_units(synth: Synth) -> None:
    template = synth(**ORGANIZATION, excludeAccounts="333333333333,444444444444")

    [group] = only(template, "AWS::CloudFormation::StackSet")["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {
        "OrganizationalUnitIds": [UNIT],
        "AccountFilterType": "DIFFERENCE",
        "Accounts": ["333333333333", "444444444444"],
    }


def test_an_organization_of_any_size_keeps_every_functions_environment_under_4_kb(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    members = [f"{100_000_000_000 + n:012d}" for n in range(1000)]
    excluded = [f"{200_000_000_000 + n:012d}" for n in range(1000)]
    units = [f"ou-abcd-{n:08d}" for n in range(100)]
    app, template = synthesize(
        tmp_path_factory.mktemp("cdk.out"),
        **{
            **ORGANIZATION,
            "memberAccounts": ",".join(members),
            "excludeAccounts": ",".join(excluded),
            "organizationUnits": ",".join(units),
            "aws:cdk:enable-asset-metadata": True,
        },
    )

    functions = template.find_resources("AWS::Lambda::Function")
    for logical, function in functions.items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        size = sum(len(key) + len(json.dumps(value)) for key, value in variables.items())
        assert size < 4096, f"{logical}: {size} bytes of environment"
    janitors = [f for f in functions.values() if f["Properties"]["Handler"].startswith("janitor.")]
    assert len(janitors) == 2, "the janitor and the coordinator"
    for function in janitors:
        variables = function["Properties"]["Environment"]["Variables"]
        assert not {"MEMBER_ACCOUNTS", "EXCLUDE_ACCOUNTS", "ORGANIZATION_UNITS"} & set(variables)
        # The lists travel in the asset, where the function reads them at cold start.
        asset = Path(app.outdir) / function["Metadata"]["aws:asset:path"]
        lists = deployment_file_settings({"LAMBDA_TASK_ROOT": str(asset)})
        assert lists["MEMBER_ACCOUNTS"].split(",") == members
        assert lists["EXCLUDE_ACCOUNTS"].split(",") == excluded
        assert lists["ORGANIZATION_UNITS"].split(",") == units


def test_the_run_logs_under_vended_logs_and_ends_before_the_next_can_start(
    organization_template: Template,
) -> None:
    machine = only(organization_template, "AWS::StepFunctions::StateMachine")
    [destination] = machine["LoggingConfiguration"]["Destinations"]
    log_group = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    name = organization_template.to_json()["Resources"][log_group]["Properties"]["LogGroupName"]
    assert name.startswith("/aws/vendedlogs/states/")
    # Nightly: 24 hours less the scheduler's 15-minute flexible window.
    assert definition(organization_template)["TimeoutSeconds"] == 24 * 3600 - 15 * 60


def test_expired_results_leave_no_delete_markers(organization_template: Template) -> None:
    rules = only(organization_template, "AWS::S3::Bucket")["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("ExpiredObjectDeleteMarker") is True for rule in rules)
    assert any(rule.get("ExpirationInDays") == 90 for rule in rules)


def test_an_organization_run_needs_an_hour_between_runs() -> None:
    with pytest.raises(ConfigError, match="scheduleExpression: an organization run needs at least an hour"):
        load_config({**DEFAULT_CONTEXT, **ORGANIZATION, "scheduleExpression": "rate(30 minutes)"}.get)
