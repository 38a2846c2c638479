"""Lambda entry point: parse the event, apply overrides, run, report, return the summary."""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from janitor import METRICS_NAMESPACE, SERVICE_NAME
from janitor.aws.notifier import SnsFailureNotifier, create_sns_client
from janitor.aws.sdk import lenient_session
from janitor.aws.worker_clients import call_error
from janitor.config.function_environment import load_settings
from janitor.config.overrides import InvalidInvocationError, apply_overrides, parse_invocation
from janitor.config.targets import (
    home_target,
    needs_membership_check,
    outside_the_units_error,
    resolve_target,
)
from janitor.core.deadline import Deadline
from janitor.core.report import (
    KIND_DIMENSION,
    RunSummary,
    failure_messages,
    kind_metric_values,
    metric_values,
)
from janitor.organization.accounts import OrganizationAccounts, create_organizations_client
from janitor.organization.results import READ_CONCURRENCY, RunResults, bounded_reply
from janitor.outputs.s3 import create_s3_client
from janitor.run.across_kinds import run_janitor
from janitor.run.target_sessions import TargetConnections, role_session_name

logger = Logger(service=SERVICE_NAME)
# No auto-patching: a subsegment per Bedrock call would be tens of thousands per run, swamping
# the trace and costing a UDP send each; the run's counts go on the handler's segment instead.
tracer = Tracer(service=SERVICE_NAME, auto_patch=False)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

# Cold start: a bad setting fails here, naming the variable, before any job is touched.
settings = load_settings(os.environ)
session = lenient_session()
notifier = SnsFailureNotifier(lambda: create_sns_client(session), settings.notification_topic_arn)
targets = TargetConnections(
    session,
    settings.max_concurrency,
    settings.enabled_kinds,
    settings.member_role_name,
    output_buckets=settings.output_buckets if settings.delete_outputs else frozenset(),
    all_output_versions=settings.delete_output_versions,
)
# The function's own account and Region: its store is made now, so a bad SDK fails the cold start.
targets.own_region_stores()
run_results = (
    RunResults(lambda: create_s3_client(session, READ_CONCURRENCY), settings.results_bucket)
    if settings.results_bucket
    else None
)


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
    if needs_membership_check(target, home, settings):
        require_under_the_units(target.account_id)
    if overrides.organization_run is not None and run_results is None:
        raise InvalidInvocationError(
            "Invocation refused: organizationRun: this deployment runs no organization run "
            "(no RESULTS_BUCKET; deploy with targetRegions, organizationUnits or memberAccounts). "
            "Nothing was listed or deleted."
        )
    logger.append_keys(target={"accountId": target.account_id, "region": target.region})
    if overrides.organization_run is not None and run_results is not None:
        recorded = run_results.recorded_result(overrides.organization_run, target)
        if recorded is not None:
            # Run again for a target it already cleaned (a retried invocation): keep the first.
            logger.info("Target already recorded for this run", extra={"summary": bounded_reply(recorded)})
            return bounded_reply(recorded)
    stores = targets.stores_for(
        target,
        home,
        partition=context.invoked_function_arn.split(":")[1],
        session_name=role_session_name(overrides.organization_run, context.aws_request_id),
    )
    summary = run_janitor(
        run_settings,
        stores.leftovers,
        logger,
        now=datetime.now(UTC),
        remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000,
        tag_index=stores.tags,
        outputs=stores.outputs,
    )
    summary.target = {"accountId": target.account_id, "region": target.region}
    # The function's own Region is enabled: a refusal there is the role's or the credentials'.
    if target.region != home.region and summary.skip_unavailable_region():
        logger.warning(
            "Target skipped: its Region is not available to it", extra={"skipped": summary.target_skipped}
        )
    result = summary.to_dict()
    logger.info("Janitor run finished", extra={"summary": bounded_reply(result)})
    if overrides.organization_run is not None and run_results is not None:
        # One target of an organization run: the gathering step reports for the whole run.
        recorded = run_results.put_result(overrides.organization_run, target, result)
        # The state's payload stays small whatever happened; the full lists are in the result object.
        return bounded_reply(recorded)
    for name, value in metric_values(summary).items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        # Typed numbers.Number, which mypy never matches an int to (PEP 484's numeric tower).
        tracer.put_annotation(key=name, value=value)  # type: ignore[arg-type]
    publish_kind_metrics(summary)
    report_deadline = Deadline(lambda: context.get_remaining_time_in_millis() / 1000 - REPORT_MARGIN_SECONDS)
    notifier.publish(failure_messages(summary, target.account_id, target.region), report_deadline)
    if summary.error:
        # The failed jobs are in the log lines and the report; the error stays readable.
        raise RunFailedError(f"{summary.error}. Partial run: {bounded_reply(result)}")
    metrics.add_metric(name="RunCompleted", unit=MetricUnit.Count, value=1)
    return result


def publish_kind_metrics(summary: RunSummary) -> None:
    """Each kind's counts under a Kind dimension, one metric document per kind (the totals above
    keep the dimensions the alarms were made with)."""
    for kind, values in kind_metric_values(summary).items():
        kind_metrics = EphemeralMetrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)
        kind_metrics.add_dimension(name=KIND_DIMENSION, value=kind)
        for name, value in values.items():
            kind_metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        kind_metrics.flush_metrics()


@functools.cache
def organization_accounts() -> OrganizationAccounts:
    """Made on the first check and kept while the function is warm (a client costs tens of ms)."""
    return OrganizationAccounts(create_organizations_client(session))


def require_under_the_units(account_id: str) -> None:
    """Refuse an account Organizations does not find active under ORGANIZATION_UNITS.

    Asked on every such invocation, not kept: an account moved out of the OUs is refused at
    once. Fails closed: an Organizations error refuses the target too.
    """
    try:
        inside = organization_accounts().is_active_under(account_id, settings.organization_units)
    except (ClientError, BotoCoreError) as error:
        failure = call_error(error)
        raise outside_the_units_error(
            account_id, f"Organizations could not tell: {failure.code}: {failure.message}"
        ) from error
    if not inside:
        raise outside_the_units_error(account_id, "Organizations finds it elsewhere or not active")
