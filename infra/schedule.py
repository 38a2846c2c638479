"""The nightly trigger: EventBridge Scheduler with a time zone, a flexible window and a DLQ."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from constructs import Construct

from .config import JanitorConfig
from .janitor_function import failure_queue
from .schedule_expression import FLEXIBLE_WINDOW_SECONDS

FLEXIBLE_WINDOW = Duration.seconds(FLEXIBLE_WINDOW_SECONDS)

#: What the coordinator is sent in organization mode: start the run named after this slot.
START_ORGANIZATION_RUN = {"action": "start", "scheduledTime": scheduler.ContextAttribute.scheduled_time}


class NightlySchedule(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: JanitorConfig,
        function: lambda_.IFunction,
        event: Mapping[str, object] | None = None,
    ) -> None:
        """Invokes `function` with `event`: {} (a normal run) by default."""
        super().__init__(scope, construct_id)
        self.dead_letter_queue = failure_queue(self, "DeadLetterQueue")
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            description="Runs the Bedrock evaluation-job janitor",
            schedule=scheduler.ScheduleExpression.expression(
                config.schedule_expression, TimeZone.of(config.schedule_time_zone)
            ),
            # The scheduler's invocation is asynchronous; {} is a normal run with no overrides.
            target=targets.LambdaInvoke(
                function,
                input=scheduler.ScheduleTargetInput.from_object(dict(event or {})),
                dead_letter_queue=self.dead_letter_queue,
                retry_attempts=3,
                max_event_age=Duration.hours(2),
            ),
            time_window=scheduler.TimeWindow.flexible(FLEXIBLE_WINDOW),
            enabled=config.schedule_enabled,
        )
