"""Alarms that notify the failure topic, and a dashboard of what each run did."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, CfnMapping, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from janitor import METRICS_NAMESPACE, SERVICE_NAME
from janitor.core.kind import Kind
from janitor.core.report import KIND_DIMENSION
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

#: A run ends well inside this; each nightly run is one data point at this period.
RUN_PERIOD = Duration.minutes(15)
#: The AWS Management Console's domain in each partition the stack deploys to.
CONSOLE_DOMAINS = {
    "aws": {"domain": "console.aws.amazon.com"},
    "aws-cn": {"domain": "console.amazonaws.cn"},
    "aws-us-gov": {"domain": "console.amazonaws-us-gov.com"},
}
#: The longest period a CloudWatch alarm accepts.
MAX_ALARM_PERIOD_SECONDS = 86400


def janitor_metric(
    name: str,
    period: Duration = RUN_PERIOD,
    region: str | None = None,
    label: str | None = None,
    kind: str | None = None,
) -> cloudwatch.Metric:
    """One of the janitor's metrics; with `region`, an organization run's total for that Region;
    with `kind`, that kind's own count."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={
            "service": SERVICE_NAME,
            **({"Region": region} if region else {}),
            **({KIND_DIMENSION: kind} if kind else {}),
        },
        statistic="Sum",
        period=period,
        label=label,
    )


@dataclass(frozen=True)
class OrganizationRunMonitoring:
    state_machine: sfn.StateMachine
    #: The Regions the run cleans, each with its own totals on the dashboard.
    regions: Sequence[str]

    def dashboard_rows(self) -> list[list[cloudwatch.IWidget]]:
        machine = self.state_machine
        return [
            [
                cloudwatch.GraphWidget(
                    title="Organization runs",
                    left=[
                        machine.metric_started(statistic="Sum", period=RUN_PERIOD),
                        machine.metric_succeeded(statistic="Sum", period=RUN_PERIOD),
                        machine.metric_failed(statistic="Sum", period=RUN_PERIOD),
                        machine.metric_timed_out(statistic="Sum", period=RUN_PERIOD),
                        machine.metric_aborted(statistic="Sum", period=RUN_PERIOD),
                    ],
                    right=[janitor_metric("TargetsFailed")],
                    width=12,
                ),
                cloudwatch.GraphWidget(
                    title="Jobs deleted and failed, by Region",
                    left=[
                        janitor_metric(name, region=region, label=f"{region} {name}")
                        for region in self.regions
                        for name in ("JobsDeleted", "JobsFailed")
                    ],
                    width=12,
                ),
            ]
        ]


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
        organization_run: OrganizationRunMonitoring | None = None,
        kinds: Sequence[Kind] = (EVALUATION_JOBS,),
    ) -> None:
        """The alarms watch the totals of every kind; the dashboard shows each kind's own too."""
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

        def on_any(construct_id: str, description: str, metric: cloudwatch.IMetric) -> None:
            """An alarm on the first occurrence in a period; no data is no occurrence."""
            alarm(
                construct_id,
                description,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )

        on_any(
            "JobsFailedAlarm",
            "A janitor run could not delete some evaluation jobs; the SNS report and the logs list them.",
            janitor_metric("JobsFailed"),
        )
        on_any(
            "ErrorsAlarm",
            "The janitor function failed (bad configuration, listing or SNS failure, timeout); see its logs.",
            function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
        )
        for name, queue in queues:
            on_any(
                f"{name}Alarm",
                f"An invocation of the janitor was given up and parked in the {name}; inspect the message.",
                queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
            )
        if organization_run is not None:
            machine = organization_run.state_machine
            for alarm_id, what, metric in (
                ("RunFailedAlarm", "failed", machine.metric_failed),
                ("RunTimedOutAlarm", "timed out", machine.metric_timed_out),
                ("RunAbortedAlarm", "was aborted", machine.metric_aborted),
            ):
                on_any(
                    alarm_id,
                    f"An organization run {what}; its execution's history shows where.",
                    metric(period=Duration.minutes(5), statistic="Sum"),
                )
            on_any(
                "TargetsFailedAlarm",
                "An organization run could not clean some targets (account, Region) at all; the SNS "
                "report names each with its error.",
                janitor_metric("TargetsFailed"),
            )
        if schedule_period_seconds is not None:
            # No completed run for two schedule periods: the janitor silently stopped running.
            window = 2 * schedule_period_seconds
            period = min(window, MAX_ALARM_PERIOD_SECONDS)
            periods = math.ceil(window / period)
            completed = (
                organization_run.state_machine.metric_succeeded(
                    period=Duration.seconds(period), statistic="Sum"
                )
                if organization_run is not None
                else janitor_metric("RunCompleted", Duration.seconds(period))
            )
            alarm(
                "HeartbeatAlarm",
                f"No janitor run completed in {window // 3600} hours (two schedule periods).",
                metric=completed,
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
                        title="Leftovers per run, every kind",
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
                [
                    cloudwatch.GraphWidget(
                        title="Deleted and failed, by kind",
                        left=[
                            janitor_metric(name, kind=kind.name, label=f"{kind.name} {name}")
                            for kind in kinds
                            for name in ("JobsDeleted", "JobsFailed")
                        ],
                        width=24,
                    )
                ],
                *(organization_run.dashboard_rows() if organization_run is not None else []),
            ],
        )
        console = CfnMapping(self, "ConsoleDomain", mapping=CONSOLE_DOMAINS)
        self.dashboard_url = (
            f"https://{console.find_in_map(Aws.PARTITION, 'domain')}/cloudwatch/home?region={stack.region}"
            f"#dashboards:name={self.dashboard.dashboard_name}"
        )
