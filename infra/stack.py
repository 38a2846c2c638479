"""JanitorStack: the function, its schedule, its notifications and its monitoring."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Fn, Stack
from constructs import Construct

from infra.config import JanitorConfig
from infra.console_test_events import ConsoleTestEvents
from infra.janitor_function import JanitorFunction
from infra.member_role_stack_set import MemberRoleStackSet
from infra.monitoring import JanitorMonitoring, OrganizationRunMonitoring
from infra.notifications import FailureNotifications
from infra.organization_run import OrganizationRun
from infra.schedule import START_ORGANIZATION_RUN, NightlySchedule


class JanitorStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: JanitorConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="Nightly janitor for Amazon Bedrock evaluation jobs", **kwargs
        )
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
                organization_run.state_machine, config.target_regions or (self.region,)
            )
            if organization_run is not None
            else None,
            kinds=config.kinds,
        )
        self.janitor = janitor
        self.schedule = schedule
        self.notifications = notifications
        self.organization_run = organization_run

        CfnOutput(self, "FunctionName", value=janitor.function.function_name)
        CfnOutput(self, "TopicArn", value=notifications.topic.topic_arn)
        CfnOutput(self, "DashboardUrl", value=monitoring.dashboard_url)
        CfnOutput(
            self, "FunctionRoleArn", value=janitor.role.role_arn, description="HubRoleArn for member roles"
        )
        if organization_run is not None:
            CfnOutput(self, "StateMachineArn", value=organization_run.state_machine.state_machine_arn)
            CfnOutput(self, "ResultsBucket", value=organization_run.results.bucket_name)
        CfnOutput(
            self,
            "DryRunCommand",
            description="Run the janitor once by hand as a dry run",
            value=Fn.join(
                "",
                [
                    "aws lambda invoke --region ",
                    self.region,
                    " --function-name ",
                    janitor.function.function_name,
                    " --cli-binary-format raw-in-base64-out --payload '{\"dryRun\": true}' /dev/stdout",
                ],
            ),
        )
