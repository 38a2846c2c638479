"""`make demo`, second part: one organization run, executed by moto's Step Functions.

Three emulated member accounts in two Regions: two in an OU, whose member role the hub stack's
StackSet deploys, and one listed in memberAccounts with no member role. The synthesized state
machine cleans every reachable target; the unreachable account is reported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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


def run_organization_demo(banner: Callable[[str], None]) -> None:
    with local_aws() as local, organization_on_moto(local, REGIONS) as org:
        seed_targets(local, org.accounts, REGIONS, JOBS_PER_TARGET)
        started = time.perf_counter()
        execution_arn = org.start("2026-11-30T03:00:00Z")["executionArn"]
        execution = org.wait(execution_arn)
        seconds = time.perf_counter() - started
        organization = org.organization
        banner("Organization run: 3 member accounts x 2 Regions, one state machine execution")
        print(f"Hub account {ACCOUNT_ID} (management account); organization {organization.organization_id}")
        print(f"OU {organization.unit_id}: {', '.join(organization.members)} (member role by the StackSet)")
        print(f"Listed outside the OU, no member role: {organization.outside}")
        print(f"Execution {execution_arn.rsplit(':', 1)[-1]}: {execution['status']} in {seconds:.1f} s")
        print(json.dumps(json.loads(execution["output"]), indent=2))
        banner("Organization SNS report, as the SQS subscriber received it")
        for notification in local.published_notifications():
            print(f"Subject: {notification['Subject']}")
            print(json.dumps(notification["Message"], indent=2))
        left = {
            f"{account} {region}": len(local.bedrock.surviving_job_arns(account_id=account, region=region))
            for account in org.accounts
            for region in REGIONS
        }
        print(f"\nJobs left per target (of {JOBS_PER_TARGET}; the 2-day-old one always stays): {left}")
