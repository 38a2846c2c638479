"""`make demo`, second part: one organization run, executed by moto's Step Functions.

Three emulated member accounts in two Regions: two in an OU, whose member role the hub stack's
StackSet deploys, and one listed in memberAccounts with no member role. The synthesized state
machine cleans every reachable target; the unreachable account is reported. The notes these
runs cause by design are silenced here, each with its reason (expected_notes), and only those.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from localdev.demo_tables import organization_table
from localdev.organization_run import organization_on_moto
from localdev.services import ACCOUNT_ID, REGION, LocalAws, local_aws

REGIONS = (REGION, "eu-west-1")
JOBS_PER_TARGET = 4


def seed_targets(local: LocalAws, accounts: list[str], regions: tuple[str, ...], jobs: int) -> None:
    """`jobs` finished jobs per account and Region: all old but one, which is 2 days old."""
    now = datetime.now(UTC)
    for account in accounts:
        for region in regions:
            for index in range(jobs):
                age = timedelta(days=2 if index == 0 else 45)
                local.bedrock.add_job(
                    status="Completed", creation_time=now - age, account_id=account, region=region
                )


#: moto's Step Functions parser, which logs a warning for each ToleratedFailurePercentage it reads.
MOTO_ASL_PARSER = "moto.stepfunctions.parser.asl.parse.preprocessor"
#: Powertools' Tracer logs the exception an invocation fails with, where tracing is enabled.
POWERTOOLS_TRACER = "aws_lambda_powertools.tracing.tracer"


@contextmanager
def expected_notes() -> Iterator[None]:
    """Silence the four notes an organization run on moto makes by design, and only them."""
    parser, tracer = logging.getLogger(MOTO_ASL_PARSER), logging.getLogger(POWERTOOLS_TRACER)
    levels = parser.level, tracer.level
    with warnings.catch_warnings():
        # Only Gather publishes an organization run's metrics: the coordinator's start and
        # listTargets, and the janitor for each target (its result goes to Gather), publish none.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        # The account outside the OU has no member role, so STS refuses AssumeRole there on purpose;
        # moto notes that AccessDenied is not among STS's modelled error shapes as it answers.
        warnings.filterwarnings("ignore", r"Exception\(STSClientError\) with code AccessDenied", UserWarning)
        # moto's interpreter ignores ToleratedFailurePercentage (100); the run relies on it for
        # nothing: each target's failure is caught and recorded (docs/organization-mode.md).
        parser.setLevel(logging.ERROR)
        # The unreachable account's target fails on purpose (TargetUnreachableError, recorded by
        # the state machine); the Tracer logs that exception where tracing is on.
        tracer.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            parser.setLevel(levels[0])
            tracer.setLevel(levels[1])


def run_organization_demo(banner: Callable[[str], None]) -> dict[str, Any]:
    """One organization run, printed; its output, summary and SNS messages, for the demo's file."""
    with local_aws() as local, expected_notes(), organization_on_moto(local, REGIONS) as org:
        seed_targets(local, org.accounts, REGIONS, JOBS_PER_TARGET)
        started = time.perf_counter()
        execution_arn = org.start("2026-11-30T03:00:00Z")["executionArn"]
        execution = org.wait(execution_arn)
        seconds = time.perf_counter() - started
        organization = org.organization
        output = json.loads(execution["output"])
        where = output["summary"]
        summary = json.loads(
            local.client("s3").get_object(Bucket=where["bucket"], Key=where["key"])["Body"].read()
        )
        banner("Organization run: 3 member accounts x 2 Regions, one state machine execution")
        print(f"Hub account {ACCOUNT_ID} (management account); organization {organization.organization_id}")
        print(f"OU {organization.unit_id}: {', '.join(organization.members)} (member role by the StackSet)")
        print(
            f"Listed outside the OU, no member role: {organization.outside} "
            "(its AssumeRole is refused on purpose: the run reports it unreachable)"
        )
        print(f"Execution {execution_arn.rsplit(':', 1)[-1]}: {execution['status']} in {seconds:.1f} s")
        print(organization_table(summary))
        banner("Organization SNS report, as the SQS subscriber received it")
        reports = local.published_notifications()
        for report in reports:
            print(f"Subject: {report['Subject']}")
        left = {
            f"{account} {region}": len(local.bedrock.surviving_job_arns(account_id=account, region=region))
            for account in org.accounts
            for region in REGIONS
        }
        print(f"\nJobs left per target (of {JOBS_PER_TARGET}; the 2-day-old one always stays): {left}")
    return {"executionOutput": output, "summary": summary, "snsReports": reports, "jobsLeft": left}
