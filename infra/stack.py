"""JanitorStack: the function, its schedule, its notifications and its monitoring."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Fn, Stack
from constructs import Construct

from infra.config import JanitorConfig
from infra.janitor_function import JanitorFunction
from infra.monitoring import JanitorMonitoring
from infra.notifications import FailureNotifications
from infra.schedule import NightlySchedule


class JanitorStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: JanitorConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="Nightly janitor for Amazon Bedrock evaluation jobs", **kwargs
        )
        notifications = FailureNotifications(self, "Notifications", emails=config.notification_emails)
        janitor = JanitorFunction(
            self, "Janitor", config=config, topic=notifications.topic, key=notifications.key
        )
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
            ],
            schedule_period_seconds=config.schedule_period_seconds if config.schedule_enabled else None,
        )
        self.janitor = janitor
        self.schedule = schedule
        self.notifications = notifications

        CfnOutput(self, "FunctionName", value=janitor.function.function_name)
        CfnOutput(self, "TopicArn", value=notifications.topic.topic_arn)
        CfnOutput(self, "DashboardUrl", value=monitoring.dashboard_url)
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
