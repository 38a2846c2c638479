"""An organization run at scale on loopback: `python -m benchmarks.organization_run [--accounts N]`.

N member accounts in an OU (the member role from the synthesized StackSet) plus one listed account
without a role, each in 2 Regions with 5 finished jobs per target (4 old, 1 recent); one execution
of the synthesized state machine on moto's Step Functions. The Lambda bridge runs one invocation
at a time, so the wall time is the run's serial cost on this machine, not the parallel one AWS
would give with maxParallelTargets; per target it is what each target costs the hub. Results:
.bench/organization_run.json (ignored by git), or with --update-committed the committed
benchmarks/results/organization_run.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime

from benchmarks.output import add_output_arguments, resolve_output_dir, shown
from benchmarks.report import write_json
from localdev.organization_demo import seed_targets
from localdev.organization_run import organization_on_moto
from localdev.services import REGION, local_aws

REGIONS = (REGION, "eu-west-1")
JOBS_PER_TARGET = 5


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.organization_run", description=__doc__)
    parser.add_argument("--accounts", type=int, default=100, help="member accounts in the OU")
    add_output_arguments(parser)
    return resolve_output_dir(parser.parse_args(argv))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    with local_aws() as local, organization_on_moto(local, REGIONS, members=args.accounts) as org:
        seed_targets(local, org.accounts, REGIONS, JOBS_PER_TARGET)
        started = time.perf_counter()
        execution = org.wait(org.start("2026-11-30T03:00:00Z")["executionArn"], timeout=3600)
        wall_s = time.perf_counter() - started
        output = json.loads(execution["output"])
        requests = local.bedrock.request_counts()
    result = {
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m benchmarks.organization_run", *argv]),
        "status": execution["status"],
        "targets": output["targets"],
        "targetsFailed": output["targetsFailed"],
        "jobsDeleted": output["deleted"],
        "jobsScanned": output["scanned"],
        "bedrockRequests": requests,
        "wallSeconds": round(wall_s, 1),
        "secondsPerTarget": round(wall_s / output["targets"], 3),
    }
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    path = args.output_dir / "organization_run.json"
    write_json(path, result)
    print(f"Wrote {shown(path)}")
    return 0 if execution["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
