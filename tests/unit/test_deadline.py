"""call_by: a call waited for no later than the deadline, and never waited for at exit."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from janitor.core.deadline import Deadline, DeadlineExceededError, call_by

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"


def test_the_result_or_the_error_of_a_call_in_time_comes_back() -> None:
    assert call_by(Deadline(lambda: 5.0), lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(ZeroDivisionError):
        call_by(Deadline(lambda: 5.0), lambda: 1 / 0)


def test_a_call_past_the_deadline_is_abandoned_not_awaited() -> None:
    release = threading.Event()
    ends = time.monotonic() + 0.2
    started = time.monotonic()

    with pytest.raises(DeadlineExceededError):
        call_by(Deadline(lambda: ends - time.monotonic()), release.wait)

    assert time.monotonic() - started < 5, "the caller returned at the deadline"
    release.set()


def test_an_abandoned_call_does_not_hold_the_process_at_exit() -> None:
    """The process ends at once even though the abandoned call would block for an hour."""
    script = (
        "import time\n"
        "from janitor.core.deadline import Deadline, DeadlineExceededError, call_by\n"
        "ends = time.monotonic() + 0.1\n"
        "try:\n"
        "    call_by(Deadline(lambda: ends - time.monotonic()), time.sleep, 3600)\n"
        "except DeadlineExceededError:\n"
        "    print('abandoned')\n"
    )

    finished = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(LAMBDA_SRC)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert (finished.returncode, finished.stdout.strip()) == (0, "abandoned"), finished.stderr
