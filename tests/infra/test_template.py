"""The synthesized template, resource by resource (moto skips alarms and schedules, so these are their proof)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.synthesis import Synth, janitor_function, logical_id, only

EVALUATION_JOBS_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":bedrock:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":evaluation-job/*",
        ],
    ]
}


def test_the_function_runs_arm64_python_with_tracing(template: Template) -> None:
    function = janitor_function(template)
    assert function["Runtime"] == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "janitor.handlers.cleanup.lambda_handler"
    assert (function["MemorySize"], function["Timeout"]) == (512, 900)
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"] == {
        "LogGroup": {"Ref": logical_id(template, "AWS::Logs::LogGroup", "JanitorLogs")}
    }


def test_by_default_no_concurrency_is_reserved_so_a_minimum_quota_account_can_deploy(
    template: Template,
) -> None:
    # Lambda refuses any reservation that leaves the account less unreserved concurrency than its
    # minimum; a new account's whole quota can be that minimum (10).
    assert "ReservedConcurrentExecutions" not in janitor_function(template)


def test_reserved_concurrency_is_reserved_when_the_context_asks_for_it(synth: Synth) -> None:
    function = janitor_function(synth(reservedConcurrency="1"))
    assert function["ReservedConcurrentExecutions"] == 1


def test_the_environment_carries_every_setting(template: Template) -> None:
    topic = logical_id(template, "AWS::SNS::Topic", "Topic")
    assert janitor_function(template)["Environment"]["Variables"] == {
        "KINDS": "evaluationJobs",
        "OLDER_THAN_DAYS": "30",
        "ELIGIBLE_STATUSES": "Completed,Failed,Stopped",
        "APPLICATION_TYPES": "ModelEvaluation,RagEvaluation",
        "RETAIN_TAG_KEY": "janitor:retain",
        "NAME_EXCLUDE_REGEX": "",
        "MAX_DELETIONS": "1000",
        "DRY_RUN": "false",
        "MAX_CONCURRENCY": "16",
        "TIME_RESERVE_SECONDS": "60",
        "TAG_LOOKUP": "batched",
        "MIN_OLDER_THAN_DAYS": "7",
        "MAX_DELETIONS_CEILING": "10000",
        "DELETE_OUTPUTS": "false",
        "DELETE_OUTPUT_VERSIONS": "false",
        "NOTIFICATION_TOPIC_ARN": {"Ref": topic},
        "POWERTOOLS_SERVICE_NAME": "bedrock-evaluation-janitor",
        "POWERTOOLS_METRICS_NAMESPACE": "BedrockEvaluationJanitor",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


def test_the_log_group_keeps_logs_for_the_configured_days_encrypted_with_the_stack_key(
    template: Template,
) -> None:
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["RetentionInDays"] == 90
    assert log_group["KmsKeyId"] == {"Fn::GetAtt": [logical_id(template, "AWS::KMS::Key", "TopicKey"), "Arn"]}
    [logs_grant] = [
        s
        for s in only(template, "AWS::KMS::Key")["KeyPolicy"]["Statement"]
        if s.get("Sid") == "AllowCloudWatchLogsToEncryptLogGroups"
    ]
    assert "kms:EncryptionContext:aws:logs:arn" in logs_grant["Condition"]["ArnLike"]


def test_failed_async_invocations_are_retried_twice_then_parked_in_an_encrypted_queue(
    template: Template,
) -> None:
    config = only(template, "AWS::Lambda::EventInvokeConfig")
    queue = logical_id(template, "AWS::SQS::Queue", "OnFailureQueue")
    assert config["MaximumRetryAttempts"] == 2
    assert config["MaximumEventAgeInSeconds"] == 6 * 3600
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}}


def test_both_failure_queues_are_encrypted_tls_only_and_keep_messages_14_days(template: Template) -> None:
    queues = template.find_resources("AWS::SQS::Queue")
    assert len(queues) == 2
    for queue in queues.values():
        assert queue["Properties"] == {"MessageRetentionPeriod": 14 * 86400, "SqsManagedSseEnabled": True}
    policies = template.find_resources("AWS::SQS::QueuePolicy")
    assert len(policies) == 2
    for policy in policies.values():
        [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
        assert (statement["Effect"], statement["Condition"]) == (
            "Deny",
            {"Bool": {"aws:SecureTransport": "false"}},
        )


def test_the_schedule_runs_nightly_at_three_utc_with_retries_and_a_dead_letter_queue(
    template: Template,
) -> None:
    schedule = only(template, "AWS::Scheduler::Schedule")
    function = logical_id(template, "AWS::Lambda::Function", "JanitorFunction")
    dlq = logical_id(template, "AWS::SQS::Queue", "DeadLetterQueue")
    assert schedule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["State"] == "ENABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    target = schedule["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    assert json.loads(target["Input"]) == {}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 7200}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq, "Arn"]}}


def test_the_topic_uses_a_rotated_customer_key_and_refuses_plain_http(template: Template) -> None:
    key = logical_id(template, "AWS::KMS::Key", "TopicKey")
    assert only(template, "AWS::SNS::Topic")["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert only(template, "AWS::KMS::Key")["EnableKeyRotation"] is True
    [deny] = [
        s
        for s in only(template, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert deny["Action"] == "sns:Publish"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    template.resource_count_is("AWS::SNS::Subscription", 0)


def test_the_role_has_exactly_the_listed_permissions_and_no_managed_policy(template: Template) -> None:
    roles = template.find_resources("AWS::IAM::Role")
    assert not [role for role in roles.values() if "ManagedPolicyArns" in role["Properties"]]
    role = roles[logical_id(template, "AWS::IAM::Role", "JanitorRole")]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]
    [policy] = [
        p["Properties"]
        for p in template.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": logical_id(template, "AWS::IAM::Role", "JanitorRole")}]
    ]
    topic = logical_id(template, "AWS::SNS::Topic", "Topic")
    key = logical_id(template, "AWS::KMS::Key", "TopicKey")
    log_group = logical_id(template, "AWS::Logs::LogGroup", "JanitorLogs")
    queue = logical_id(template, "AWS::SQS::Queue", "OnFailureQueue")
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "ListEvaluationJobs",
            "Effect": "Allow",
            "Action": "bedrock:ListEvaluationJobs",
            "Resource": "*",
        },
        {"Sid": "ReadTagsInBatches", "Effect": "Allow", "Action": "tag:GetResources", "Resource": "*"},
        {
            "Sid": "ReadTagsAndDeleteEvaluationJobs",
            "Effect": "Allow",
            "Action": ["bedrock:BatchDeleteEvaluationJob", "bedrock:ListTagsForResource"],
            "Resource": EVALUATION_JOBS_ARN,
        },
        {
            "Sid": "NeverDeleteRetainedEvaluationJobs",
            "Effect": "Deny",
            "Action": "bedrock:BatchDeleteEvaluationJob",
            "Resource": EVALUATION_JOBS_ARN,
            "Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/janitor:retain": "true"}},
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
        },
        {
            "Sid": "PublishFailureReports",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": {"Ref": topic},
        },
        {
            "Sid": "EncryptFailureReports",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": {"Fn::GetAtt": [key, "Arn"]},
        },
        {"Effect": "Allow", "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
            "Resource": {"Fn::GetAtt": [queue, "Arn"]},
        },
    ]


def alarm_by_id(template: Template, part: str) -> dict[str, Any]:
    alarms: Mapping[str, Any] = template.find_resources("AWS::CloudWatch::Alarm")
    return alarms[logical_id(template, "AWS::CloudWatch::Alarm", part)]["Properties"]  # type: ignore[no-any-return]


def test_any_failed_job_any_error_and_any_parked_event_raise_an_alarm(template: Template) -> None:
    failed = alarm_by_id(template, "JobsFailedAlarm")
    assert (failed["Namespace"], failed["MetricName"], failed["Statistic"]) == (
        "BedrockEvaluationJanitor",
        "JobsFailed",
        "Sum",
    )
    assert failed["Dimensions"] == [{"Name": "service", "Value": "bedrock-evaluation-janitor"}]
    errors = alarm_by_id(template, "ErrorsAlarm")
    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
    for name in ("OnFailureQueueAlarm", "SchedulerDeadLetterQueueAlarm"):
        queue = alarm_by_id(template, name)
        assert (queue["Namespace"], queue["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    for alarm in (failed, errors, alarm_by_id(template, "OnFailureQueueAlarm")):
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (
            1,
            1,
            "notBreaching",
        )


def test_the_heartbeat_fires_after_two_nights_without_a_completed_run(template: Template) -> None:
    heartbeat = alarm_by_id(template, "HeartbeatAlarm")
    assert heartbeat["MetricName"] == "RunCompleted"
    assert (heartbeat["Period"], heartbeat["EvaluationPeriods"], heartbeat["DatapointsToAlarm"]) == (
        86400,
        2,
        2,
    )
    assert (heartbeat["ComparisonOperator"], heartbeat["Threshold"]) == ("LessThanThreshold", 1)
    assert heartbeat["TreatMissingData"] == "breaching"


def test_outputs_name_the_function_topic_dashboard_and_a_dry_run_command(template: Template) -> None:
    outputs = template.find_outputs("*")
    assert set(outputs) == {"FunctionName", "FunctionRoleArn", "TopicArn", "DashboardUrl", "DryRunCommand"}
    command = json.dumps(outputs["DryRunCommand"]["Value"])
    assert "aws lambda invoke" in command
    assert "--payload '{\\\"dryRun\\\": true}'" in command
    assert "#dashboards:name=" in json.dumps(outputs["DashboardUrl"]["Value"])


def test_context_overrides_reach_the_function_the_schedule_and_the_alarms(synth: Synth) -> None:
    template = synth(
        olderThanDays="14",
        dryRun="true",
        maxDeletions="50",
        minOlderThanDays="3",
        maxDeletionsCeiling="500",
        retainTagKey="keep",
        nameExcludeRegex="^golden-",
        applicationTypes="RagEvaluation",
        eligibleStatuses="Completed",
        scheduleExpression="rate(6 hours)",
        scheduleTimeZone="Europe/Berlin",
        logRetentionDays="30",
        memorySizeMb="1024",
        timeoutSeconds="600",
        notificationEmails="ops@example.com, oncall@example.com",
    )
    variables = janitor_function(template)["Environment"]["Variables"]
    assert {
        key: variables[key]
        for key in (
            "OLDER_THAN_DAYS",
            "DRY_RUN",
            "MAX_DELETIONS",
            "RETAIN_TAG_KEY",
            "NAME_EXCLUDE_REGEX",
            "APPLICATION_TYPES",
            "ELIGIBLE_STATUSES",
            "MIN_OLDER_THAN_DAYS",
            "MAX_DELETIONS_CEILING",
        )
    } == {
        "OLDER_THAN_DAYS": "14",
        "DRY_RUN": "true",
        "MAX_DELETIONS": "50",
        "RETAIN_TAG_KEY": "keep",
        "NAME_EXCLUDE_REGEX": "^golden-",
        "APPLICATION_TYPES": "RagEvaluation",
        "ELIGIBLE_STATUSES": "Completed",
        "MIN_OLDER_THAN_DAYS": "3",
        "MAX_DELETIONS_CEILING": "500",
    }
    function = janitor_function(template)
    assert (function["MemorySize"], function["Timeout"]) == (1024, 600)
    assert only(template, "AWS::Logs::LogGroup")["RetentionInDays"] == 30
    schedule = only(template, "AWS::Scheduler::Schedule")
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "rate(6 hours)",
        "Europe/Berlin",
    )
    heartbeat = alarm_by_id(template, "HeartbeatAlarm")
    assert (heartbeat["Period"], heartbeat["EvaluationPeriods"]) == (12 * 3600, 1)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/keep": "true"}}}
                        )
                    ]
                )
            }
        },
    )
    subscriptions = sorted(
        s["Properties"]["Endpoint"] for s in template.find_resources("AWS::SNS::Subscription").values()
    )
    assert subscriptions == ["oncall@example.com", "ops@example.com"]


def test_a_disabled_schedule_has_no_heartbeat_alarm(synth: Synth) -> None:
    template = synth(scheduleEnabled="false")
    assert only(template, "AWS::Scheduler::Schedule")["State"] == "DISABLED"
    assert not [key for key in template.find_resources("AWS::CloudWatch::Alarm") if "Heartbeat" in key]


def role_statement_ids(template: Template) -> list[str]:
    [policy] = [
        p["Properties"]
        for p in template.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": logical_id(template, "AWS::IAM::Role", "JanitorRole")}]
    ]
    return [statement.get("Sid", "") for statement in policy["PolicyDocument"]["Statement"]]


def test_tag_get_resources_is_granted_only_when_tags_are_looked_up_in_batches(synth: Synth) -> None:
    batched = synth()
    per_job = synth(tagLookup="perJob")
    assert janitor_function(batched)["Environment"]["Variables"]["TAG_LOOKUP"] == "batched"
    assert janitor_function(per_job)["Environment"]["Variables"]["TAG_LOOKUP"] == "perJob"
    assert "ReadTagsInBatches" in role_statement_ids(batched)
    assert "ReadTagsInBatches" not in role_statement_ids(per_job), "least privilege: no unused action"
