"""Alarms that notify the failure topic, and a dashboard of what each run did."""

from __future__ import annotations

import math
from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from janitor import METRICS_NAMESPACE, SERVICE_NAME

#: A run ends well inside this; each nightly run is one data point at this period.
RUN_PERIOD = Duration.minutes(15)
#: The longest period a CloudWatch alarm accepts.
MAX_ALARM_PERIOD_SECONDS = 86400


def janitor_metric(name: str, period: Duration = RUN_PERIOD) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME},
        statistic="Sum",
        period=period,
    )


class JanitorMonitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        topic: sns.ITopic,
        alarm_name_prefix: str,
        queues: Sequence[tuple[str, sqs.IQueue]],
        schedule_period_seconds: int | None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        notify = actions.SnsAction(topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(construct_id: str, description: str, **props: object) -> None:
            # Named explicitly: the topic and its key admit CloudWatch only for names with the prefix.
            name = alarm_name_prefix + construct_id.removesuffix("Alarm")
            created = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_name=name,
                alarm_description=description,
                **props,  # type: ignore[arg-type]
            )
            created.add_alarm_action(notify)
            self.alarms.append(created)

        alarm(
            "JobsFailedAlarm",
            "A janitor run could not delete some evaluation jobs; the SNS report and the logs list them.",
            metric=janitor_metric("JobsFailed"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            "ErrorsAlarm",
            "The janitor function failed (bad configuration, listing or SNS failure, timeout); see its logs.",
            metric=function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for name, queue in queues:
            alarm(
                f"{name}Alarm",
                f"An invocation of the janitor was given up and parked in the {name}; inspect the message.",
                metric=queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        if schedule_period_seconds is not None:
            # No completed run for two schedule periods: the janitor silently stopped running.
            window = 2 * schedule_period_seconds
            period = min(window, MAX_ALARM_PERIOD_SECONDS)
            periods = math.ceil(window / period)
            alarm(
                "HeartbeatAlarm",
                f"No janitor run completed in {window // 3600} hours (two schedule periods).",
                metric=janitor_metric("RunCompleted", Duration.seconds(period)),
                threshold=1,
                evaluation_periods=periods,
                datapoints_to_alarm=periods,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            )

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            # Dashboards are global to an account: the region keeps a second region's deploy apart.
            dashboard_name=f"{stack.stack_name}-{stack.region}",
            default_interval=Duration.days(14),
            widgets=[
                [
                    cloudwatch.GraphWidget(
                        title="Evaluation jobs per run",
                        left=[
                            janitor_metric(name)
                            for name in ("JobsDeleted", "JobsFailed", "JobsEligible", "JobsScanned")
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Duration (ms)",
                        left=[function.metric_duration(statistic="Maximum", period=RUN_PERIOD)],
                        width=12,
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Errors and throttles",
                        left=[
                            function.metric_errors(statistic="Sum", period=RUN_PERIOD),
                            function.metric_throttles(statistic="Sum", period=RUN_PERIOD),
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Invocations parked in failure queues",
                        left=[
                            queue.metric_approximate_number_of_messages_visible(
                                statistic="Maximum", period=RUN_PERIOD
                            )
                            for _, queue in queues
                        ],
                        width=12,
                    ),
                ],
            ],
        )
        self.dashboard_url = (
            f"https://{stack.region}.console.aws.amazon.com/cloudwatch/home?region={stack.region}"
            f"#dashboards:name={self.dashboard.dashboard_name}"
        )
