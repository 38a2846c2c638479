"""BedrockEvaluationJanitor: the whole janitor as one construct a team composes into a stack of
its own (the app's JanitorStack is one such stack): the function, its schedule, its failure
notifications, its monitoring and, in organization mode, the organization run and the member
role's StackSet. Its keyword arguments are the settings' names in snake case, validated by the
same declarations as the app's context (janitor.config.settings, infra.stack_settings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, Unpack

from aws_cdk import CfnOutput, Fn, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .config import JanitorConfig, config_from_arguments
from .console_test_events import ConsoleTestEvents
from .janitor_function import JanitorFunction
from .member_role_stack_set import MemberRoleStackSet
from .monitoring import JanitorMonitoring, OrganizationRunMonitoring
from .nag import (
    acknowledge_kind_findings,
    acknowledge_organization_run_findings,
    acknowledge_output_findings,
    acknowledge_reviewed_findings,
)
from .notifications import FailureNotifications
from .organization_run import OrganizationRun
from .schedule import START_ORGANIZATION_RUN, NightlySchedule


class JanitorArguments(TypedDict, total=False):
    """Every setting a team may give the construct (see the docs' configuration table); an
    argument not given takes the setting's declared default."""

    kinds: Sequence[str]
    older_than_days: int
    eligible_statuses: Sequence[str]
    application_types: Sequence[str]
    retain_tag_key: str
    name_exclude_regex: str
    max_deletions: int
    dry_run: bool
    max_concurrency: int
    time_reserve_seconds: int
    tag_lookup: str
    min_older_than_days: int
    max_deletions_ceiling: int
    target_regions: Sequence[str]
    member_role_name: str
    organization_units: Sequence[str]
    member_accounts: Sequence[str]
    exclude_accounts: Sequence[str]
    delete_outputs: bool
    output_buckets: Sequence[str]
    delete_output_versions: bool
    schedule_expression: str
    schedule_time_zone: str
    schedule_enabled: bool
    notification_emails: Sequence[str]
    log_retention_days: int
    memory_size_mb: int
    timeout_seconds: int
    reserved_concurrency: int
    organization_id: str
    max_parallel_targets: int
    stack_set_call_as: str
    create_test_event_registry: bool


class BedrockEvaluationJanitor(Construct):
    """The janitor in a team's own stack. Exposes `function`, `role`, `topic`, `config` and, in
    organization mode (target_regions, organization_units or member_accounts), `state_machine`.

    A bad argument raises infra.config.ConfigError naming it (`older_than_days: ...`) before
    anything is created. `config` is for the app's own stack, which validated its CDK context.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: JanitorConfig | None = None,
        **settings: Unpack[JanitorArguments],
    ) -> None:
        # Validated before the construct joins the tree: a bad argument leaves nothing behind.
        config = config if config is not None else config_from_arguments(dict(settings))
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        notifications = FailureNotifications(self, "Notifications", emails=config.notification_emails)
        janitor = JanitorFunction(
            self, "Janitor", config=config, topic=notifications.topic, key=notifications.key
        )
        ConsoleTestEvents(
            self,
            "ConsoleTestEvents",
            function=janitor.function,
            create_registry=config.create_test_event_registry,
        )
        organization_run = None
        if config.fans_out:
            organization_run = OrganizationRun(
                self,
                "OrganizationRun",
                config=config,
                janitor=janitor,
                topic=notifications.topic,
                key=notifications.key,
            )
            if config.organization_units:
                MemberRoleStackSet(self, "MemberRole", config=config, hub_role=janitor.role)
            schedule = NightlySchedule(
                self,
                "Nightly",
                config=config,
                function=organization_run.coordinator,
                event=START_ORGANIZATION_RUN,
            )
        else:
            schedule = NightlySchedule(self, "Nightly", config=config, function=janitor.function)
        monitoring = JanitorMonitoring(
            self,
            "Monitoring",
            function=janitor.function,
            topic=notifications.topic,
            alarm_name_prefix=notifications.alarm_name_prefix,
            queues=[
                ("OnFailureQueue", janitor.on_failure_queue),
                ("SchedulerDeadLetterQueue", schedule.dead_letter_queue),
                *(
                    [("CoordinatorOnFailureQueue", organization_run.on_failure_queue)]
                    if organization_run
                    else []
                ),
            ],
            schedule_period_seconds=config.schedule_period_seconds if config.schedule_enabled else None,
            organization_run=OrganizationRunMonitoring(
                organization_run.state_machine, config.target_regions or (stack.region,)
            )
            if organization_run is not None
            else None,
            kinds=config.kinds,
        )
        self.config = config
        self.janitor = janitor
        self.schedule = schedule
        self.notifications = notifications
        self.organization_run = organization_run
        self._outputs(stack, monitoring.dashboard_url)
        # cdk-nag's reviewed findings travel with the construct, for teams that run cdk-nag too.
        acknowledge_reviewed_findings(
            stack, janitor, schedule, notifications, *([organization_run] if organization_run else [])
        )
        acknowledge_kind_findings(janitor, config.kinds, config.target_regions)
        acknowledge_output_findings(janitor, config.outputs)
        if organization_run is not None:
            acknowledge_organization_run_findings(stack, janitor, organization_run, config)

    @property
    def function(self) -> lambda_.Function:
        return self.janitor.function

    @property
    def role(self) -> iam.Role:
        return self.janitor.role

    @property
    def topic(self) -> sns.Topic:
        return self.notifications.topic

    @property
    def state_machine(self) -> sfn.StateMachine | None:
        """The organization run's state machine; None outside organization mode."""
        return self.organization_run.state_machine if self.organization_run is not None else None

    def _outputs(self, stack: Stack, dashboard_url: str) -> None:
        function, topic = self.janitor.function, self.notifications.topic
        CfnOutput(self, "FunctionName", value=function.function_name)
        CfnOutput(self, "TopicArn", value=topic.topic_arn)
        CfnOutput(self, "DashboardUrl", value=dashboard_url)
        CfnOutput(
            self,
            "FunctionRoleArn",
            value=self.janitor.role.role_arn,
            description="HubRoleArn for member roles",
        )
        if self.organization_run is not None:
            CfnOutput(self, "StateMachineArn", value=self.organization_run.state_machine.state_machine_arn)
            CfnOutput(self, "ResultsBucket", value=self.organization_run.results.bucket_name)
        CfnOutput(
            self,
            "DryRunCommand",
            description="Run the janitor once by hand as a dry run",
            value=Fn.join(
                "",
                [
                    "aws lambda invoke --region ",
                    stack.region,
                    " --function-name ",
                    function.function_name,
                    " --cli-binary-format raw-in-base64-out --payload '{\"dryRun\": true}' /dev/stdout",
                ],
            ),
        )
