"""Lambda entry point: parse the event, apply overrides, run, report, return the summary."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from janitor import METRICS_NAMESPACE, SERVICE_NAME
from janitor.deadline import Deadline
from janitor.notifier import SnsFailureNotifier, create_sns_client
from janitor.overrides import apply_overrides, parse_invocation
from janitor.report import failure_messages, metric_values
from janitor.sdk import lenient_session
from janitor.service import run_janitor
from janitor.settings import load_settings
from janitor.target_sessions import TargetConnections
from janitor.targets import home_target, resolve_target

logger = Logger(service=SERVICE_NAME)
# No auto-patching: a subsegment per Bedrock call would be tens of thousands per run, swamping
# the trace and costing a UDP send each; the run's counts go on the handler's segment instead.
tracer = Tracer(service=SERVICE_NAME, auto_patch=False)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

# Cold start: a bad setting fails here, naming the variable, before any job is touched.
settings = load_settings(os.environ)
session = lenient_session()
notifier = SnsFailureNotifier(lambda: create_sns_client(session), settings.topic_arn)
targets = TargetConnections(
    session, settings.max_concurrency, settings.tag_lookup == "batched", settings.member_role_name
)
# The function's own account and Region: its store is made now, so a bad SDK fails the cold start.
targets.own_region_stores()


#: Time kept after the failure report for flushing the metrics and returning.
REPORT_MARGIN_SECONDS = 2.0


class RunFailedError(RuntimeError):
    """The run broke off (e.g. the listing failed); raised after the partial run was reported."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    overrides = parse_invocation(event)
    run_settings = apply_overrides(settings, overrides)
    home = home_target(context.invoked_function_arn)
    target = resolve_target(overrides.target, home, settings)
    logger.append_keys(target={"accountId": target.account_id, "region": target.region})
    stores = targets.stores_for(target, home, partition=context.invoked_function_arn.split(":")[1])
    summary = run_janitor(
        run_settings,
        stores.jobs,
        logger,
        now=datetime.now(UTC),
        remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000,
        tag_index=stores.tags,
    )
    summary.target = {"accountId": target.account_id, "region": target.region}
    for name, value in metric_values(summary).items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        # Typed numbers.Number, which mypy never matches an int to (PEP 484's numeric tower).
        tracer.put_annotation(key=name, value=value)  # type: ignore[arg-type]
    result = summary.to_dict()
    logger.info(
        "Janitor run finished", extra={"summary": {k: v for k, v in result.items() if k != "failedJobs"}}
    )
    report_deadline = Deadline(lambda: context.get_remaining_time_in_millis() / 1000 - REPORT_MARGIN_SECONDS)
    notifier.publish(failure_messages(summary, target.account_id, target.region), report_deadline)
    if summary.error:
        # The failed jobs are in the log lines and the report; the error stays readable.
        partial = {key: value for key, value in result.items() if key != "failedJobs"}
        raise RunFailedError(f"{summary.error}. Partial run: {partial}")
    metrics.add_metric(name="RunCompleted", unit=MetricUnit.Count, value=1)
    return result
