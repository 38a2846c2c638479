"""The organization run: a Step Functions state machine that runs the janitor once per target.

    ListTargets -> CleanEachTarget (Distributed Map: CleanTarget, or RecordTargetFailure) -> Gather

- ListTargets (the coordinator function) enumerates the accounts under the OUs now, adds the
  listed accounts, drops the excluded ones, and writes every (account, Region) to the run's
  `targets.json` in the results bucket.
- CleanEachTarget reads its items from that object (a Distributed Map: an S3 item source holds
  5,000 targets, a state's 256 KiB payload does not, and each target's history lives in its
  own child execution rather than the 25,000 events of one execution), runs at most
  `maxParallelTargets` targets at once, retries Lambda's transient errors, and catches a failed
  target: its failure is written where its result would have been, so one broken account never
  stops the others. No child failure fails the Map (ToleratedFailurePercentage 100): the
  gathering step reports a target without a result as failed.
- Gather (the coordinator) reads every result into one organization-wide summary, publishes
  its metrics and one SNS report, and writes `summary.json`.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from janitor import RUNTIME_ENVIRONMENT

from .config import JanitorConfig
from .janitor_function import ASYNC_RETRY_ATTEMPTS, JanitorFunction, encrypted_log_group, failure_queue
from .lambda_asset import ARCHITECTURE, RUNTIME, function_code
from .schedule import FLEXIBLE_WINDOW

COORDINATOR_HANDLER = "janitor.handlers.coordinator.lambda_handler"
#: A run's objects are kept this long, for reading a past run's summary and results.
RESULTS_RETENTION = Duration.days(90)
#: Lambda's throttle when the account's concurrency is used up (new accounts have 10 in all).
LAMBDA_THROTTLED = "Lambda.TooManyRequestsException"


class OrganizationRun(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: JanitorConfig,
        janitor: JanitorFunction,
        topic: sns.ITopic,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.results = s3.Bucket(
            self,
            "Results",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Versioned, so an overwritten or deleted result can be read back for a day.
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=RESULTS_RETENTION,
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                # S3 refuses this in a rule with an expiration; without it, each expired result
                # would leave a delete marker behind for good.
                s3.LifecycleRule(expired_object_delete_marker=True),
            ],
        )
        # Named, so the coordinator can be given its ARN without a dependency cycle (the state
        # machine invokes the coordinator, which starts the state machine).
        self.state_machine_name = f"{stack.stack_name}-OrganizationRun"
        state_machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.coordinator = self._coordinator(config, janitor, topic, key, state_machine_arn)
        janitor.function.add_environment("RESULTS_BUCKET", self.results.bucket_name)
        janitor.role.add_to_policy(
            iam.PolicyStatement(
                sid="RecordEachTargetsResultOnce",
                # Read first: a target run again keeps the result its first run recorded.
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[self.results.arn_for_objects("runs/*")],
            )
        )
        janitor.role.add_to_policy(
            iam.PolicyStatement(
                sid="TellAMissingResultFromARefusal",
                # Without it, S3 answers a missing key with 403 rather than 404.
                actions=["s3:ListBucket"],
                resources=[self.results.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["runs/*"]}},
            )
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=self.state_machine_name,
            definition_body=sfn.DefinitionBody.from_chainable(self._definition(config, janitor.function)),
            # A run ends before the next one can start: the scheduler may start each up to its
            # flexible window late, so the earliest next start is one period after this one's time.
            timeout=Duration.seconds(config.schedule_period_seconds - FLEXIBLE_WINDOW.to_seconds()),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                # Under /aws/vendedlogs/: otherwise each state machine's log group grows the
                # account's CloudWatch Logs resource policy, which is capped at 5,120 characters.
                destination=encrypted_log_group(
                    self,
                    "Logs",
                    config,
                    key,
                    log_group_name=f"/aws/vendedlogs/states/{self.state_machine_name}",
                ),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )

    def _coordinator(
        self,
        config: JanitorConfig,
        janitor: JanitorFunction,
        topic: sns.ITopic,
        key: kms.IKey,
        state_machine_arn: str,
    ) -> lambda_.Function:
        role = iam.Role(
            self,
            "CoordinatorRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Bedrock evaluation-job janitor: start, plan and gather organization runs",
        )
        statements = [
            iam.PolicyStatement(
                sid="StartTheOrganizationRun",
                actions=["states:StartExecution"],
                resources=[state_machine_arn],
            ),
            iam.PolicyStatement(
                sid="ReadAndWriteRunObjects",
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[self.results.arn_for_objects("runs/*")],
            ),
            iam.PolicyStatement(
                sid="ListRunObjects",
                actions=["s3:ListBucket"],
                resources=[self.results.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["runs/*"]}},
            ),
            iam.PolicyStatement(
                sid="PublishRunReports", actions=["sns:Publish"], resources=[topic.topic_arn]
            ),
            iam.PolicyStatement(
                sid="EncryptRunReports",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
            ),
        ]
        if config.organization_units:
            statements.append(
                iam.PolicyStatement(
                    sid="EnumerateTheOrganizationUnits",
                    # Read-only; callable only by the management account or a delegated
                    # administrator for Organizations (docs/organization-mode.md).
                    actions=["organizations:ListChildren", "organizations:ListAccountsForParent"],
                    resources=["*"],
                )
            )
        for statement in statements:
            role.add_to_policy(statement)
        log_group = encrypted_log_group(self, "CoordinatorLogs", config, key)
        log_group.grant_write(role)
        # The schedule's start is asynchronous: a start that still fails is parked here.
        self.on_failure_queue = failure_queue(self, "CoordinatorOnFailureQueue")
        return lambda_.Function(
            self,
            "Coordinator",
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(self.on_failure_queue),
            description="Bedrock evaluation-job janitor: starts, plans and gathers organization runs",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=COORDINATOR_HANDLER,
            code=function_code(config.deployment_file),
            role=role,
            memory_size=config.memory_size_mb,
            timeout=Duration.seconds(config.timeout_seconds),
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **config.function_environment,
                "NOTIFICATION_TOPIC_ARN": topic.topic_arn,
                "RESULTS_BUCKET": self.results.bucket_name,
                "STATE_MACHINE_ARN": state_machine_arn,
                **RUNTIME_ENVIRONMENT,
            },
        )

    def _coordinator_step(
        self, state_name: str, action: str, result_path: str | None = None
    ) -> tasks.LambdaInvoke:
        """A coordinator action on this run (the execution's name)."""
        return tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=self.coordinator,
            payload=sfn.TaskInput.from_object(
                {"action": action, "runId": sfn.JsonPath.string_at("$$.Execution.Name")}
            ),
            payload_response_only=True,
            result_path=result_path,
        )

    def _definition(self, config: JanitorConfig, janitor: lambda_.IFunction) -> sfn.IChainable:
        run_id = sfn.JsonPath.string_at("$$.Execution.Name")
        list_targets = self._coordinator_step("ListTargets", "listTargets", result_path="$.targets")
        clean_target = tasks.LambdaInvoke(
            self,
            "CleanTarget",
            lambda_function=janitor,
            # The item: {"target": {...}, "organizationRun": "<execution name>"}.
            payload_response_only=True,
            # The target's summary is in its result object; the child's output stays its input.
            result_path=sfn.JsonPath.DISCARD,
        )
        clean_target.add_retry(
            errors=[LAMBDA_THROTTLED],
            interval=Duration.seconds(5),
            max_attempts=6,
            backoff_rate=2,
            jitter_strategy=sfn.JitterType.FULL,
        )
        record_failure = tasks.CallAwsService(
            self,
            "RecordTargetFailure",
            service="s3",
            action="putObject",
            parameters={
                "Bucket": self.results.bucket_name,
                # The key janitor.organization.results.result_key gives a target's own result.
                "Key": sfn.JsonPath.format(
                    "runs/{}/results/{}-{}.json",
                    sfn.JsonPath.string_at("$.organizationRun"),
                    sfn.JsonPath.string_at("$.target.accountId"),
                    sfn.JsonPath.string_at("$.target.region"),
                ),
                "Body": sfn.JsonPath.json_to_string(sfn.JsonPath.object_at("$")),
                "ContentType": "application/json",
                # A target whose invocation failed after it recorded its result keeps that result.
                "IfNoneMatch": "*",
            },
            iam_resources=[self.results.arn_for_objects("runs/*")],
            iam_action="s3:PutObject",
            result_path=sfn.JsonPath.DISCARD,
        )
        # The write refused (a result is there) or failed: either way the gathering step reads
        # what is recorded, and reports a target with nothing recorded as failed.
        record_failure.add_catch(
            sfn.Pass(self, "ResultAlreadyRecorded"), errors=["States.ALL"], result_path=sfn.JsonPath.DISCARD
        )
        clean_target.add_catch(record_failure, errors=["States.ALL"], result_path="$.failure")
        clean_each_target = sfn.DistributedMap(
            self,
            "CleanEachTarget",
            max_concurrency=config.max_parallel_targets,
            item_reader=sfn.S3JsonItemReader(
                bucket=self.results, key=sfn.JsonPath.string_at("$.targets.key")
            ),
            item_selector={
                "target": sfn.JsonPath.object_at("$$.Map.Item.Value"),
                "organizationRun": run_id,
            },
            # Child outputs go to S3, not into this execution's 256 KiB state.
            result_writer_v2=sfn.ResultWriterV2(bucket=self.results, prefix="map-runs"),
            tolerated_failure_percentage=100,
            map_execution_type=sfn.StateMachineType.STANDARD,
            result_path=sfn.JsonPath.DISCARD,
        )
        clean_each_target.item_processor(clean_target)
        gather = self._coordinator_step("Gather", "gather")
        return list_targets.next(clean_each_target).next(gather)
