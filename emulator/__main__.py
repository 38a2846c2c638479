"""``python -m emulator``: serve in the foreground, print the endpoint URL, stop on Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from types import FrameType

from emulator.contract import ALL_OPERATIONS
from emulator.seed import seed_demo_batch_evaluations, seed_demo_jobs, seed_demo_prompt_optimization_jobs
from emulator.server import DEFAULT_DELETING_SECONDS, BedrockEmulator, FaultConfig


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local Bedrock evaluation-job emulator (and the tagging API's GetResources).",
    )
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account-id", default="123456789012")
    p.add_argument("--seed", type=int, default=0, help="seed for job ids")
    p.add_argument(
        "--deleting-seconds",
        type=float,
        default=DEFAULT_DELETING_SECONDS,
        help=f"how long deleted jobs stay listed as Deleting (default {DEFAULT_DELETING_SECONDS:g}; 0 = vanish at once)",
    )
    p.add_argument(
        "--tag-index-lag-seconds",
        type=float,
        default=0.0,
        help="how long a tag change takes to reach the tagging API's GetResources (default 0)",
    )
    p.add_argument(
        "--seed-demo",
        action="store_true",
        help="add a realistic mix of demo jobs (and 12 of each other kind)",
    )
    p.add_argument("--demo-count", type=int, default=60)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--throttle-rate", type=float, default=0.0)
    p.add_argument("--server-error-rate", type=float, default=0.0)
    p.add_argument("--item-failure-rate", type=float, default=0.0)
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument(
        "--fault-operations",
        default="",
        help=f"comma-separated operations the faults apply to (default all): {','.join(ALL_OPERATIONS)}",
    )
    return p


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (from a test or a process manager) shuts down like Ctrl-C.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    ops = [o for o in args.fault_operations.split(",") if o]
    try:
        faults = FaultConfig(
            latency_seconds=args.latency_ms / 1000.0,
            throttle_rate=args.throttle_rate,
            server_error_rate=args.server_error_rate,
            item_failure_rate=args.item_failure_rate,
            operations=frozenset(ops) if ops else None,
            seed=args.fault_seed,
        )
        emu = BedrockEmulator(
            region=args.region,
            account_id=args.account_id,
            seed=args.seed,
            deleting_seconds=args.deleting_seconds,
            port=args.port,
            faults=faults,
            tag_index_lag_seconds=args.tag_index_lag_seconds,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Set SIGINT too: a shell starts background jobs with SIGINT ignored, and Python keeps that.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    emu.start()
    try:
        if args.seed_demo:
            now = datetime.now(UTC)
            seed_demo_jobs(emu, now, count=args.demo_count)
            # A handful of each other kind, with the same edge cases.
            seed_demo_prompt_optimization_jobs(emu, now)
            seed_demo_batch_evaluations(emu, now)
        # stdout carries only the URL, so a parent process can read it with one readline().
        print(emu.endpoint_url, flush=True)
        print(f"Bedrock emulator serving {len(emu.job_arns())} jobs; Ctrl-C to stop.", file=sys.stderr)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
