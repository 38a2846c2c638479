"""What the command line's tests share: the command against the emulator, seeded jobs, plan edits."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.httpsession import URLLib3Session
from typer.testing import CliRunner, Result

from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor_cli.app import app
from janitor_cli.plan_file import plan_document, with_digest
from janitor_cli.planning import Plan, PlannedJob, TargetPlan, settings_record
from janitor_cli.settings import cli_settings
from localdev.services import ACCOUNT_ID, REGION, LocalAws

OLD = datetime.now(UTC) - timedelta(days=40)
RECENT = datetime.now(UTC) - timedelta(days=3)
OTHER_ACCOUNT = "210987654321"
STATIC_KEYS = "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"


@dataclass
class Cli:
    local: LocalAws
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input)

    def json(self, *args: str) -> Any:
        result = self(*args, "--output", "json")
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)


class RequestAttemptedError(RuntimeError):
    """botocore tried to send a request where a test expects none."""


@contextmanager
def no_aws(home: Path) -> Iterator[list[str]]:
    """No AWS_ variable, HOME at `home` (no real ~/.aws, no SSO cache), the configuration files in
    it, no instance metadata; every HTTP request botocore tries (STS, SSO, Bedrock, anything) is
    recorded in the list yielded, and refused."""
    requests: list[str] = []

    def send(self: URLLib3Session, request: AWSPreparedRequest) -> None:
        requests.append(str(request.url))
        raise RequestAttemptedError(str(request.url))

    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            patch.delenv(name)
        patch.setenv("HOME", str(home))
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setattr(URLLib3Session, "send", send)
        yield requests


@dataclass
class Offline:
    """The command with no AWS to talk to: `requests` lists every request it tried."""

    home: Path
    requests: list[str] = field(default_factory=list)
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input)

    def configure(self, config: str, credentials: str = "") -> None:
        (self.home / "config").write_text(config)
        (self.home / "credentials").write_text(credentials)


def seed(local: LocalAws) -> dict[str, str]:
    """Name -> ARN: three old finished jobs, one recent, one protected, one name-excluded."""
    return {
        name: local.bedrock.add_job(name, "Completed", created, tags=tags)
        for name, created, tags in (
            ("sweep-a", OLD, None),
            ("sweep-b", OLD - timedelta(days=1), None),
            ("sweep-c", OLD - timedelta(days=2), None),
            ("fresh", RECENT, None),
            ("golden", OLD, {"janitor:retain": "true"}),
            ("keep-me", OLD, None),
        )
    }


def planned_arns(document: Any) -> list[str]:
    return [job["jobArn"] for target in document["targets"] for job in target["jobs"]]


def arns_of(items: list[dict[str, str]]) -> list[str]:
    """The ARNs of an apply's `deletedJobs` (or of one reason's `skippedJobs`), each {kind, jobArn}."""
    return [item["jobArn"] for item in items]


def edit_plan(plan_file: Path, document: dict[str, Any], *, recompute_digest: bool = True) -> None:
    """Write `document` as the plan, with its digest recomputed as an attacker would (or not)."""
    plan_file.write_text(json.dumps(with_digest(document) if recompute_digest else document))


def one_line_error(result: Result) -> str:
    """The one stderr line of a refused command (no traceback, nothing else)."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def valid_plan_document(now: datetime, jobs: int = 3) -> dict[str, Any]:
    """A plan file's content as `plan --out` writes it, made at `now`, for two Regions."""
    targets = [
        TargetPlan(
            ACCOUNT_ID,
            region,
            profile,
            jobs=[
                PlannedJob(
                    f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:evaluation-job/{index:012d}",
                    f"sweep-{index}",
                    "Completed",
                    (now - timedelta(days=40 + index)).isoformat(),
                    "ModelEvaluation",
                    EVALUATION_JOBS.name,
                )
                for index in range(jobs)
            ],
        )
        for region, profile in ((REGION, None), ("eu-west-1", "ops"))
    ]
    return plan_document(Plan(now, settings_record(cli_settings({})), targets))


def refused(offline: Offline, *args: str) -> str:
    """The one error line of a command that must exit 2 before any request."""
    result = offline(*args)
    assert result.exit_code == 2, result.output + result.stderr
    assert offline.requests == [], "no request"
    return one_line_error(result)
