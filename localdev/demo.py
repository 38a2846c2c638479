"""`make demo`: the janitor against the local Bedrock emulator, once as a dry run and once for real.

Starts the emulator (seeded with a realistic account) and moto server on loopback, runs the real
handler twice with the environment the stack would give it, and prints both summaries, the SNS
failure report and the CloudWatch metrics the runs emitted.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import UTC, datetime
from typing import Any

from emulator import seed_demo_jobs
from localdev.lambda_runtime import LocalLambdaContext, cold_start_handler_module, emitted_metrics, json_lines
from localdev.organization_demo import run_organization_demo
from localdev.services import LocalAws, environment, local_aws

DEMO_SETTINGS = {"NAME_EXCLUDE_REGEX": "^keep-", "RETENTION_DAYS": "30"}


def _banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 72 - len(title)))


def _invoke(local: LocalAws, event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    captured = io.StringIO()
    with environment(local.function_environment(**DEMO_SETTINGS)), redirect_stdout(captured):
        handler = cold_start_handler_module()
        summary = handler.lambda_handler(event, LocalLambdaContext())
    return summary, captured.getvalue()


def main() -> None:
    with local_aws() as local:
        seed_demo_jobs(local.bedrock, datetime.now(UTC), count=60)
        print(f"Bedrock emulator at {local.bedrock.endpoint_url}, moto server (SNS, SQS) at {local.moto_url}")
        print(f"Seeded {len(local.bedrock.job_arns())} evaluation jobs; settings: {DEMO_SETTINGS}")
        sweepable = sorted(
            arn
            for arn in local.bedrock.job_arns()
            if (local.bedrock.get_job(arn) or {})["jobName"].startswith("sweep")
        )
        # One refused deletion, so the demo shows the failure report as well.
        local.bedrock.fail_item(sweepable[0], "500", "Internal error deleting this job.")

        for title, event in (('Dry run: {"dryRun": true}', {"dryRun": True}), ("Nightly run: {}", {})):
            summary, stdout = _invoke(local, event)
            _banner(title)
            print(json.dumps(summary, indent=2))
            records = json_lines(stdout)
            print(f"CloudWatch metrics (EMF, namespace BedrockEvaluationJanitor): {emitted_metrics(records)}")
            print(
                f"JSON log lines: {sum('_aws' not in record for record in records)} (one per job acted on, one summary)"
            )

        _banner("SNS failure report, as the SQS subscriber received it (email gets it as text)")
        for notification in local.published_notifications():
            print(f"Subject: {notification['Subject']}")
            print(json.dumps(notification["Message"], indent=2))
        print(f"\nJobs left in the emulator: {len(local.bedrock.surviving_job_arns())} of 60")
        print(f"Bedrock requests by operation: {local.bedrock.request_counts()}")
    run_organization_demo(_banner)


if __name__ == "__main__":
    main()
