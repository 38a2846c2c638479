"""`make demo`: the janitor against the local Bedrock emulator, once as a dry run and once for real.

Starts the emulator (seeded with a realistic account) and moto server on loopback, runs the real
handler twice with the environment the stack would give it, and prints each run as a table (a row
per kind), the CloudWatch metrics the runs emitted and the SNS failure report's subject; then an
organization run (localdev/organization_demo.py). The full JSON, summaries and SNS messages, goes
to .demo/summaries.json (ignored by git; `--out DIR` for another folder).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulator import seed_demo_batch_evaluations, seed_demo_jobs, seed_demo_prompt_optimization_jobs
from janitor.kinds import KINDS
from localdev.demo_tables import run_table
from localdev.lambda_runtime import (
    REPO,
    LocalLambdaContext,
    cold_start_handler_module,
    emitted_metrics,
    json_lines,
)
from localdev.organization_demo import run_organization_demo
from localdev.services import LocalAws, environment, local_aws

#: Where the full JSON goes: ignored by git (.gitignore).
DEMO_OUTPUT = REPO / ".demo"
DEMO_SETTINGS = {
    # Every kind of leftover (a deployment's default is evaluationJobs alone).
    "KINDS": "evaluationJobs,promptOptimizationJobs,batchEvaluations",
    "NAME_EXCLUDE_REGEX": "^keep-",
    "OLDER_THAN_DAYS": "30",
    # The deleted jobs' S3 outputs go too, in this bucket only (moto's S3).
    "DELETE_OUTPUTS": "true",
    "OUTPUT_BUCKETS": "eval-results",
}
#: Two more old jobs with outputs in S3: one in the listed bucket, one in a bucket not listed.
OUTPUT_JOBS = (
    ("outputs-removed", "s3://eval-results/nightly/"),
    ("outputs-kept", "s3://team-archive/evals/"),
)
OUTPUT_FILES = (
    "models/m/taskTypes/Generation/datasets/BoolQ/0_output.jsonl",
    "custom_metrics/helpfulness.json",
)


def _banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 72 - len(title)))


def _invoke(local: LocalAws, event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    captured = io.StringIO()
    with environment(local.function_environment(**DEMO_SETTINGS)), redirect_stdout(captured):
        handler = cold_start_handler_module()
        summary = handler.lambda_handler(event, LocalLambdaContext())
    return summary, captured.getvalue()


def _seed_outputs(local: LocalAws) -> None:
    """The two OUTPUT_JOBS, 45 days old, with two objects each under their own prefix."""
    s3 = local.client("s3")
    for bucket in ("eval-results", "team-archive"):
        s3.create_bucket(Bucket=bucket)
    for name, s3_uri in OUTPUT_JOBS:
        created = datetime.now(UTC) - timedelta(days=45)
        arn = local.bedrock.add_job(name, "Completed", created, output_s3_uri=s3_uri)
        bucket, _, path = s3_uri.removeprefix("s3://").partition("/")
        for file in OUTPUT_FILES:
            s3.put_object(Bucket=bucket, Key=f"{path}{name}/{arn.rsplit('/', 1)[1]}/{file}", Body=b"{}" * 50)


def _run(local: LocalAws, title: str, event: dict[str, Any]) -> dict[str, Any]:
    summary, stdout = _invoke(local, event)
    _banner(title)
    print(run_table(summary))
    records = json_lines(stdout)
    print(f"CloudWatch metrics (EMF, namespace BedrockEvaluationJanitor): {emitted_metrics(records)}")
    print(
        f"JSON log lines: {sum('_aws' not in record for record in records)} (one per job acted on, one summary)"
    )
    return summary


def single_account_demo() -> dict[str, Any]:
    """The dry run and the nightly run, printed; what they returned and published, for the file."""
    with local_aws() as local:
        seed_demo_jobs(local.bedrock, datetime.now(UTC), count=60)
        seed_demo_prompt_optimization_jobs(local.bedrock, datetime.now(UTC), count=12)
        seed_demo_batch_evaluations(local.bedrock, datetime.now(UTC), count=12)
        _seed_outputs(local)
        print(
            f"Bedrock emulator at {local.bedrock.endpoint_url}, moto server (SNS, SQS, S3) at {local.moto_url}"
        )
        seeded = {kind: len(local.bedrock.leftover_arns(kind)) for kind in KINDS}
        print(f"Seeded {seeded}; settings: {DEMO_SETTINGS}")
        sweepable = sorted(
            arn
            for arn in local.bedrock.job_arns()
            if (local.bedrock.get_job(arn) or {})["jobName"].startswith("sweep")
        )
        # One refused deletion, so the demo shows the failure report as well.
        local.bedrock.fail_item(sweepable[0], "500", "Internal error deleting this job.")
        runs = {
            "dryRun": _run(local, 'Dry run: {"dryRun": true}', {"dryRun": True}),
            "nightly": _run(local, "Nightly run: {}", {}),
        }
        _banner("SNS failure report, as the SQS subscriber received it (email gets it as text)")
        reports = local.published_notifications()
        for report in reports:
            message = report["Message"]
            print(f"Subject: {report['Subject']} (part {message['part']} of {message['parts']})")
        left = {kind: f"{len(local.bedrock.surviving_arns(kind))} of {seeded[kind]}" for kind in KINDS}
        print(f"\nLeft in the emulator, by kind: {left}")
        s3 = local.client("s3")
        objects_left = {}
        for bucket in ("eval-results", "team-archive"):
            keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            objects_left[bucket] = keys
            print(f"Objects left in s3://{bucket}: {keys}")
        requests = local.bedrock.request_counts()
        print(f"Bedrock requests by operation: {requests}")
    return {
        "settings": DEMO_SETTINGS,
        "seeded": seeded,
        "runs": runs,
        "snsReports": reports,
        "left": left,
        "objectsLeft": objects_left,
        "bedrockRequests": requests,
    }


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localdev.demo", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=DEMO_OUTPUT, help="the folder for summaries.json (default .demo/)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    document = {"singleAccount": single_account_demo(), "organization": run_organization_demo(_banner)}
    path: Path = args.out / "summaries.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    print(f"\nThe full JSON (each run's summary, the organization summary, the SNS messages): {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
