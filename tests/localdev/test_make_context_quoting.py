"""`make synth|deploy CONTEXT=...` hands a cron(...) or rate(...) schedule to the CDK intact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CDK = f"{REPO}/node_modules/.bin/cdk"
#: Stands in for the CDK: prints the arguments it was given, as JSON.
ARGV_PRINTER = f"{sys.executable} -c 'import json, sys; print(json.dumps(sys.argv[1:]))'"
CRON = "cron(0 4 * * ? *)"


def cdk_command(target: str, context: str) -> str:
    """The CDK command `make -n target CONTEXT=context` prints."""
    result = subprocess.run(
        ["make", "-n", target, f"CONTEXT={context}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    [command] = [line for line in result.stdout.splitlines() if line.startswith(f"{CDK} {target} ")]
    return command


def cdk_arguments(target: str, context: str) -> list[str]:
    """What the CDK would receive: the printed command parsed by bash (syntax first), the CDK
    replaced by ARGV_PRINTER."""
    command = cdk_command(target, context)
    syntax = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    ran = subprocess.run(
        ["bash", "-c", command.replace(CDK, ARGV_PRINTER, 1)],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    arguments: list[str] = json.loads(ran.stdout)
    return arguments


@pytest.mark.parametrize("target", ["synth", "deploy"])
@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (f"-c scheduleExpression={CRON}", ["-c", f"scheduleExpression={CRON}"]),
        (
            "-c olderThanDays=14 -c scheduleExpression=rate(1 day)",
            ["-c", "olderThanDays=14", "-c", "scheduleExpression=rate(1 day)"],
        ),
        # Quoted by hand, as before: passed as written.
        (f"-c scheduleExpression='{CRON}'", ["-c", f"scheduleExpression={CRON}"]),
        (
            "-c olderThanDays=14 -c notificationEmails=ops@example.com,oncall@example.com",
            ["-c", "olderThanDays=14", "-c", "notificationEmails=ops@example.com,oncall@example.com"],
        ),
    ],
)
def test_a_schedule_expression_in_context_reaches_the_cdk_intact(
    target: str, context: str, expected: list[str]
) -> None:
    arguments = cdk_arguments(target, context)
    start = arguments.index("-c")
    assert arguments[start : start + len(expected)] == expected


def test_the_getting_started_page_shows_how_to_pass_a_schedule() -> None:
    text = (REPO / "docs" / "getting-started.md").read_text()
    assert f'make deploy CONTEXT="-c scheduleExpression={CRON}"' in text
