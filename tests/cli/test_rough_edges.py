"""The command line's rough edges (issue 24): Regions are real Regions, tables fit 80 columns,
--output means what it says (one document per command), --version, a connection problem named
as one, and the confirmation's exit codes documented."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from janitor.core.report import FailedJob
from janitor_cli.applying import ApplyResult
from janitor_cli.planning import KindCounts, Plan, PlannedJob, TargetPlan, settings_record
from janitor_cli.render import OutputFormat, render_apply, render_plan
from janitor_cli.settings import cli_settings
from localdev.services import ACCOUNT_ID, REGION
from tests.cli.support import STATIC_KEYS, Cli, Offline, one_line_error, refused, seed

NOW = datetime.now(UTC)
LONG_NAMES = [
    f"nightly-regression-sweep-anthropic-claude-sonnet-rag-faithfulness-{index:04d}" for index in range(3)
]


def _flat(text: str) -> str:
    """`text` without the boxes and line breaks rich draws: words as one blank-separated line."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


# 1. Regions are real Regions.


@pytest.mark.parametrize("region", ["us-east-9", "eu-west-7", "cn-north-5"])
def test_a_region_no_partition_lists_is_refused_naming_it(offline: Offline, region: str) -> None:
    offline.configure("[default]\n", STATIC_KEYS)

    line = refused(offline, "plan", "--region", REGION, "--region", region)

    assert f"--region {region} is not a Region" in line


@pytest.mark.parametrize("region", ["af-south-1", "me-south-1", "ap-east-1", "cn-north-1", "us-gov-west-1"])
def test_opt_in_and_other_partitions_regions_pass_the_check(offline: Offline, region: str) -> None:
    offline.configure("[default]\n", STATIC_KEYS)

    offline("plan", "--region", region)

    assert offline.requests, "past the Region check: the STS request was tried"


def test_a_region_that_held_nothing_still_has_its_row(cli: Cli) -> None:
    seed(cli.local)

    table = cli("plan", "--region", REGION, "--region", "eu-west-1", "--name-exclude-regex", "^keep-")

    assert table.exit_code == 0, table.output + table.stderr
    kept = table.stdout[table.stdout.index("Kept, by reason") :]
    [empty] = [line for line in kept.splitlines() if "eu-west-1" in line]
    cells = [cell.strip() for cell in empty.split("│")[1:-1]]
    assert cells[:2] + cells[3:] == [ACCOUNT_ID, "eu-west-1", "0", "(none kept)", "0"]
    assert "to delete: 0 (account 123456789012, eu-west-1)" in table.stdout


# 2. Tables fit the terminal.


def _long_plan() -> Plan:
    targets = [
        TargetPlan(
            ACCOUNT_ID,
            region,
            None,
            jobs=[
                PlannedJob(
                    f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:evaluation-job/{region[:2]}{index:010d}",
                    name,
                    "Completed",
                    (NOW - timedelta(days=40 + index)).isoformat(),
                    "ModelEvaluation",
                    "evaluationJobs",
                )
                for index, name in enumerate(LONG_NAMES)
            ],
            kinds={"evaluationJobs": KindCounts(3, {})},
        )
        for region in (REGION, "eu-west-1")
    ]
    return Plan(NOW, settings_record(cli_settings({})), targets)


def _column(text: str, header: str) -> list[str]:
    """Every line's cell in the column `header` of each table in `text` (rich's boxes)."""
    cells: list[str] = []
    index = None
    for line in text.splitlines():
        parts = [part.strip() for part in line.replace("┃", "│").split("│")[1:-1]]
        if header in parts:
            index = parts.index(header)
        elif index is not None and len(parts) > index and line.startswith("│"):
            cells.append(parts[index])
    return cells


def _at_80(render: object) -> str:
    console = Console(width=80, file=io.StringIO(), color_system=None)
    assert callable(render)
    render(console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_the_plan_table_shows_every_full_name_and_id_at_80_columns() -> None:
    made = _long_plan()

    text = _at_80(lambda console: render_plan(made, NOW, OutputFormat.TABLE, False, console))

    assert "…" not in text, text
    assert all(len(line) <= 80 for line in text.splitlines())
    names = "".join(_column(text, "Name"))
    ids = "".join(_column(text, "Id"))
    for target in made.targets:
        for job in target.jobs:
            assert job.job_name in names, text
            assert job.job_arn.rsplit("/", 1)[-1] in ids, text


def test_the_apply_table_shows_every_full_arn_at_80_columns() -> None:
    made = _long_plan()
    arns = [job.job_arn for target in made.targets for job in target.jobs]
    result = ApplyResult(
        failed=[FailedJob(arn, "ValidationException", "x " * 40, "evaluationJobs") for arn in arns]
    )

    text = _at_80(lambda console: render_apply(result, OutputFormat.TABLE, console))

    assert "…" not in text, text
    jobs = "".join(_column(text, "Job"))
    assert all(arn in jobs for arn in arns), text


# 3. --output means what it says.


def test_apply_with_nothing_to_delete_still_writes_its_json_and_csv(cli: Cli, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--region", REGION, "--out", str(plan_file)).exit_code == 0

    as_json = cli("apply", str(plan_file), "--yes", "--output", "json")
    as_csv = cli("apply", str(plan_file), "--yes", "--output", "csv")

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["deleted"] == 0
    assert as_csv.stdout.splitlines() == ["outcome,kind,job_arn,reason,code,message"]


def test_run_writes_one_json_document_with_the_plan_and_the_outcome(cli: Cli) -> None:
    jobs = seed(cli.local)

    done = cli("run", "--region", REGION, "--name-exclude-regex", "^keep-", "--yes", "--output", "json")
    dry = cli("run", "--region", REGION, "--dry-run", "--output", "json")

    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert sorted(document) == ["applied", "plan"]
    planned = sorted(job["jobArn"] for job in document["plan"]["targets"][0]["jobs"])
    assert planned == sorted(jobs[name] for name in ("sweep-a", "sweep-b", "sweep-c"))
    assert sorted(item["jobArn"] for item in document["applied"]["deletedJobs"]) == planned
    assert json.loads(dry.stdout)["applied"] is None


def test_run_writes_one_csv_with_each_items_outcome(cli: Cli) -> None:
    jobs = seed(cli.local)

    done = cli("run", "--region", REGION, "--name-exclude-regex", "^keep-", "--yes", "--output", "csv")

    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {(row["name"], row["action"], row["outcome"]) for row in rows} == {
        ("sweep-a", "delete", "deleted"), ("sweep-b", "delete", "deleted"), ("sweep-c", "delete", "deleted")
    }  # fmt: skip
    assert {row["job_arn"] for row in rows} == {jobs[name] for name in ("sweep-a", "sweep-b", "sweep-c")}


def test_a_file_name_given_to_output_is_told_about_out(offline: Offline) -> None:
    result = offline("plan", "--region", REGION, "--output", "plan.json")

    assert result.exit_code == 2
    assert "use `plan --out plan.json`" in _flat(result.stderr)
    assert offline.requests == []


def test_version_prints_the_distributions_version(offline: Offline) -> None:
    result = offline("--version")

    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip() == f"bedrock-eval-janitor {importlib.metadata.version('bedrock-eval-janitor')}"
    )


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def closing_port() -> Iterator[int]:
    """A port whose server accepts each connection and closes it at once."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


@pytest.mark.parametrize("server", ["closed_port", "closing_port"], ids=["refused", "closed"])
def test_a_connection_problem_is_named_with_its_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, server: str
) -> None:
    port = request.getfixturevalue(server)
    endpoint = f"http://127.0.0.1:{port}"
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)

    result = Offline(tmp_path)("plan", "--region", REGION)

    assert result.exit_code == 2, result.output
    line = one_line_error(result)
    assert line.startswith(f"error: cannot connect to {endpoint} in {REGION}"), line
    assert "credentials" not in line


@pytest.mark.parametrize("command", ["apply", "run"])
def test_the_confirmations_exit_codes_are_in_the_help(offline: Offline, command: str) -> None:
    result = offline(command, "--help")

    text = _flat(result.stdout)
    assert "A declined confirmation exits 0 with nothing deleted" in text
    assert "no terminal to ask" in text
    assert "exits 2 with nothing deleted" in text
