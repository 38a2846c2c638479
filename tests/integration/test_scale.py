"""100,000 jobs: bounded memory and API calls at their lower bound.

The janitor runs in a child process (so its peak RSS is its own, not the emulator's) against the
emulator in this process.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localdev.lambda_runtime import CHILD_PYTHONPATH
from localdev.services import LocalAws

pytestmark = pytest.mark.slow

# Linux: writing 5 to clear_refs resets the peak (VmHWM) to the current RSS, so the peak measured
# after the run is the run's own, not the cold start's.
CHILD = """
import json
from localdev.lambda_runtime import LocalLambdaContext, cold_start_handler_module

def status_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

handler = cold_start_handler_module()
with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")
baseline = status_kb("VmRSS")
summary = handler.lambda_handler({}, LocalLambdaContext())
print(json.dumps({"growth_kb": status_kb("VmHWM") - baseline, "summary": summary}))
"""
#: Peak RSS may grow this much more for 100,000 listed jobs than for 1,000 (the issue's bound).
MAX_EXTRA_GROWTH_MB = 30


def seed(local: LocalAws, listed: int, eligible: int, name_suffix: str = "") -> None:
    """`listed` old jobs: `eligible` deletable, 5% name-excluded, the rest still running.

    Names are unique per account, and a deleted job holds its name while it is Deleting: a
    second seeding in one test takes another `name_suffix`.
    """
    now = datetime.now(UTC)
    excluded = listed // 20
    for i in range(listed):
        created = now - timedelta(days=31, seconds=i)
        if i < eligible:
            local.bedrock.add_job(name=f"sweep-{i}{name_suffix}", status="Completed", creation_time=created)
        elif i < eligible + excluded:
            local.bedrock.add_job(name=f"keep-{i}{name_suffix}", status="Completed", creation_time=created)
        else:
            local.bedrock.add_job(
                name=f"running-{i}{name_suffix}", status="InProgress", creation_time=created
            )


def run_in_child(local: LocalAws, **settings: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        **local.function_environment(NAME_EXCLUDE_REGEX="^keep-", **settings),
        "PYTHONPATH": CHILD_PYTHONPATH,
    }
    completed = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def small_run_growth_kb(local: LocalAws) -> int:
    seed(local, listed=1000, eligible=50, name_suffix="-small")
    report = run_in_child(local)
    assert report["summary"]["deleted"] == 50
    return int(report["growth_kb"])


def test_100000_jobs_under_the_default_cap_use_the_fewest_calls_and_bounded_memory(
    local: LocalAws, small_run_growth_kb: int
) -> None:
    local.bedrock.reset_counts()
    seed(local, listed=100_000, eligible=5000)

    report = run_in_child(local)

    summary = report["summary"]
    # What the small run left behind is listed too, its 50 deleted jobs still as Deleting.
    assert summary["scanned"] == 100_000 + 1000
    assert (summary["deleted"], summary["skipped"]["overCap"], summary["complete"]) == (1000, 4000, False)
    assert local.bedrock.request_counts() == {
        "ListEvaluationJobs": math.ceil(summary["scanned"] / 1000),
        "GetResources": 1000 // 100,
        "BatchDeleteEvaluationJob": 1000 // 25,
    }
    extra_mb = (report["growth_kb"] - small_run_growth_kb) / 1024
    print(
        f"peak RSS growth: {report['growth_kb'] / 1024:.1f} MB (100,000 jobs), {small_run_growth_kb / 1024:.1f} MB (1,000)"
    )
    assert extra_mb < MAX_EXTRA_GROWTH_MB, (
        f"peak RSS grew {report['growth_kb'] / 1024:.1f} MB for 100,000 jobs vs "
        f"{small_run_growth_kb / 1024:.1f} MB for 1,000"
    )


@pytest.mark.parametrize(
    ("mode", "tag_calls"), [("batched", {"GetResources": 50}), ("perJob", {"ListTagsForResource": 5000})]
)
def test_100000_jobs_with_the_cap_raised_delete_all_5000_at_the_lower_bound_of_calls(
    local: LocalAws, mode: str, tag_calls: dict[str, int]
) -> None:
    seed(local, listed=100_000, eligible=5000)

    report = run_in_child(local, MAX_DELETIONS="100000", TAG_LOOKUP=mode)

    summary = report["summary"]
    assert (summary["scanned"], summary["deleted"], summary["failed"], summary["complete"]) == (
        100_000,
        5000,
        0,
        True,
    )
    assert local.bedrock.request_counts() == {
        "ListEvaluationJobs": 100,
        **tag_calls,
        "BatchDeleteEvaluationJob": 200,
    }
    assert report["growth_kb"] / 1024 < MAX_EXTRA_GROWTH_MB + 20, (
        f"peak RSS grew {report['growth_kb'] / 1024:.1f} MB"
    )
