"""The installed `bedrock-eval-janitor` under a pseudo-terminal: the progress bar is drawn (on
stderr) and the table rendered, as a person at a terminal sees them."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from localdev.services import DUMMY_CREDENTIALS, REGION, LocalAws

COMMAND = Path(sys.executable).parent / "bedrock-eval-janitor"


def read_all(fd: int, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_run_draws_the_progress_bar_and_the_table(local: LocalAws) -> None:
    assert COMMAND.is_file(), "the README's set-up installs the command into the virtualenv (make)"
    for index in range(30):
        local.bedrock.add_job(f"sweep-{index}", "Completed", datetime.now(UTC) - timedelta(days=40 + index))
    environment = {
        **os.environ,
        **DUMMY_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_BEDROCK": local.bedrock.endpoint_url,
        "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": local.bedrock.endpoint_url,
        "AWS_ENDPOINT_URL_STS": local.moto_url,
        "COLUMNS": "120",
        "TERM": "xterm-256color",
    }
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(COMMAND), "plan", "--region", REGION],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environment,
        close_fds=True,
    )
    os.close(terminal)
    try:
        seen = read_all(controller, process)
    finally:
        os.close(controller)
        process.wait(timeout=30)

    assert process.returncode == 0, seen
    assert "listing and looking up" in seen, "the progress bar was drawn"
    assert "Evaluation jobs to delete: 30" in seen
    assert "sweep-29" in seen
    assert "\x1b[" in seen, "rendered for a terminal"
