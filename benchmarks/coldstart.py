"""Cold start: the handler module's import (settings, session, clients) vs a bare boto3 client.

Each sample is a fresh `python -c` child; the two kinds alternate so drift hits both alike. The
child times its own import section (perf_counter); the parent also keeps the child's whole wall
time (interpreter start-up included) and its CPU time from wait4. The handler is imported with
plain `import janitor.handlers.cleanup`, which is what `cold_start_handler_module()` does in a fresh
process, without the local harness (moto) that module drags in. Both kinds run in the deployed
function's environment, Lambda runtime variables included (see `__main__`): outside Lambda, the
X-Ray SDK that Powertools' Tracer imports creates two X-Ray clients for centralized sampling at
import (about 150 ms here), which it never does in Lambda.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Each child prints its section's seconds and its peak RSS (VmHWM, kB). wait4's ru_maxrss is no
# use here: Linux carries the parent's high-water mark across the vfork+exec into the child's.
_REPORT = (
    "print(time.perf_counter() - t, next(int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')))"
)
HANDLER_CODE = "import time; t = time.perf_counter(); import janitor.handlers.cleanup; " + _REPORT
BARE_CODE = "import time; t = time.perf_counter(); import boto3; boto3.client('bedrock'); " + _REPORT
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True, slots=True)
class Sample:
    section_s: float
    process_wall_s: float
    process_cpu_s: float
    peak_rss_kb: int


def _sample(code: str, env: Mapping[str, str]) -> Sample:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stdout is not None
    assert proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"cold-start child failed ({proc.returncode}): {err[-2000:]}")
    seconds, peak_kb = out.split()
    return Sample(float(seconds), wall, usage.ru_utime + usage.ru_stime, int(peak_kb))


def _summary(samples: list[Sample]) -> dict[str, Any]:
    return {
        "samples": len(samples),
        "medianSeconds": statistics.median(s.section_s for s in samples),
        "minSeconds": min(s.section_s for s in samples),
        "maxSeconds": max(s.section_s for s in samples),
        "medianProcessWallSeconds": statistics.median(s.process_wall_s for s in samples),
        "medianProcessCpuSeconds": statistics.median(s.process_cpu_s for s in samples),
        "medianPeakRssMb": statistics.median(s.peak_rss_kb for s in samples) / 1024,
    }


def import_time_top(env: Mapping[str, str], top: int = 10) -> dict[str, list[dict[str, Any]]]:
    """`python -X importtime -c 'import janitor.handlers.cleanup'`: the top entries by cumulative and self time.

    The cumulative list leaves out janitor.handlers.cleanup itself (it is the whole import).
    """
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import janitor.handlers.cleanup"],
        env=dict(env),
        capture_output=True,
        text=True,
        check=True,
    )
    entries: list[dict[str, Any]] = []
    for line in completed.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            entries.append(
                {
                    "module": match.group(4),
                    "selfMs": int(match.group(1)) / 1000,
                    "cumulativeMs": int(match.group(2)) / 1000,
                    "depth": len(match.group(3)) // 2,
                }
            )
    by_cumulative = sorted(
        (e for e in entries if e["module"] != "janitor.handlers.cleanup"), key=lambda e: -e["cumulativeMs"]
    )
    by_self = sorted(entries, key=lambda e: -e["selfMs"])
    total = next((e["cumulativeMs"] for e in entries if e["module"] == "janitor.handlers.cleanup"), None)
    return {
        "handlerImportMs": [{"module": "janitor.handlers.cleanup", "cumulativeMs": total}],
        "topCumulative": by_cumulative[:top],
        "topSelf": by_self[:top],
    }


def measure_cold_start(env: Mapping[str, str], repeats: int) -> dict[str, Any]:
    # One unmeasured round warms the page cache for both.
    _sample(HANDLER_CODE, env)
    _sample(BARE_CODE, env)
    handler: list[Sample] = []
    bare: list[Sample] = []
    for _ in range(repeats):
        handler.append(_sample(HANDLER_CODE, env))
        bare.append(_sample(BARE_CODE, env))
    result: dict[str, Any] = {"handler": _summary(handler), "bareBoto3Client": _summary(bare)}
    result["ratio"] = result["handler"]["medianSeconds"] / result["bareBoto3Client"]["medianSeconds"]
    result["processWallRatio"] = (
        result["handler"]["medianProcessWallSeconds"] / result["bareBoto3Client"]["medianProcessWallSeconds"]
    )
    result["importTime"] = import_time_top(env)
    return result
