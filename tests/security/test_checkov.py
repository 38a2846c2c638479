"""checkov (IaC security scanner) on the synthesized template: nothing fails without a reviewed reason.

checkov lives in its own venv, .venv-checkov/ (installed by `make test` from requirements-checkov.txt),
because its pins conflict with the project's. Its settings and every reviewed skip, each with the
reason it is acceptable, are in .checkov.yaml. The scan runs offline (skip-download, no update check).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.cleanup_permissions import OutputPermissions
from infra.member_role import member_role_template
from tests.infra.synthesis import EVERYTHING_ON, synthesize

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CONFIG = REPO / ".checkov.yaml"
TEMPLATE_NAME = "BedrockEvaluationJanitor.template.json"
#: A written reason, not a placeholder such as "ok" or "false positive".
MIN_REASON_CHARS = 40
#: What checkov reports for an inline (template Metadata) skip that has no comment.
NO_COMMENT = "No comment provided"
_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


@dataclass(frozen=True)
class Scan:
    summary: dict[str, Any]
    results: dict[str, Any]
    stderr: str


def _checkov_bin() -> Path:
    if not CHECKOV.is_file():
        pytest.fail(
            f"{CHECKOV.relative_to(REPO)} is missing: run `make test`, which installs checkov into "
            "its own venv from requirements-checkov.txt.",
            pytrace=False,
        )
    return CHECKOV


def _run_checkov(workdir: Path, *args: str) -> Scan:
    """One checkov run with JSON output, offline.

    It runs in an empty `workdir`, also as HOME: checkov reads any .checkov.yaml it finds in the
    current and home directories besides --config-file, so only the settings given here apply.
    """
    env = {
        **os.environ,
        "HOME": str(workdir),
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "BC_SKIP_MAPPING": "TRUE",
    }
    completed = subprocess.run(
        [str(_checkov_bin()), *args, "-o", "json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # checkov exits 1 when a check failed; anything else is a crash or a usage error.
    assert completed.returncode in {0, 1}, (
        f"checkov exited {completed.returncode}:\n{completed.stderr}\n{completed.stdout}"
    )
    try:
        report: Any = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"checkov printed no JSON report ({error}):\n{completed.stdout}\n{completed.stderr}"
        ) from error
    # One framework gives one report object; several would give a list of them.
    assert isinstance(report, dict), f"expected one cloudformation report, got: {str(report)[:500]}"
    assert report.get("check_type") == "cloudformation", f"unexpected report: {str(report)[:500]}"
    return Scan(summary=report["summary"], results=report["results"], stderr=completed.stderr)


def _describe(check: dict[str, Any]) -> str:
    return f"{check['check_id']} {check['check_name']!r} on {check['resource']}"


def configured_skips() -> list[tuple[str, str]]:
    """(check id, the comment line right above it) for each `skip-check` entry of .checkov.yaml.

    The entries must be a block list (`  - CKV_AWS_1`), so that each can carry its comment.
    """
    lines = CONFIG.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^skip-check\s*:", line)]
    assert len(starts) <= 1, ".checkov.yaml has more than one skip-check key"
    if not starts:
        return []
    assert re.fullmatch(r"skip-check\s*:\s*(#.*)?", lines[starts[0]]), (
        "skip-check must be a block list, one `- CHECK_ID` per line, each preceded by its reason"
    )
    skips: list[tuple[str, str]] = []
    for index in range(starts[0] + 1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() and not stripped.startswith("-"):
            break  # the next top-level key
        entry = re.fullmatch(r"-\s*['\"]?([^'\"#\s]+)['\"]?\s*(#.*)?", stripped)
        assert entry, f".checkov.yaml line {index + 1}: not a `- CHECK_ID` entry: {line!r}"
        above = lines[index - 1].strip()
        comment = above[1:].strip() if above.startswith("#") else ""
        skips.append((entry.group(1), comment))
    return skips


@pytest.fixture(scope="module")
def template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    synthesize(outdir)
    template = outdir / TEMPLATE_NAME
    assert template.is_file(), f"synthesis wrote no {TEMPLATE_NAME} into {outdir}"
    return template


@pytest.fixture(scope="module")
def organization_template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hub stack with every opt-in on: the state machine, its bucket, the StackSet, output deletes."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    synthesize(outdir, **EVERYTHING_ON)
    return outdir / TEMPLATE_NAME


@pytest.fixture(params=["default", "everything on"])
def any_template_file(
    request: pytest.FixtureRequest, template_file: Path, organization_template_file: Path
) -> Path:
    return template_file if request.param == "default" else organization_template_file


@pytest.fixture(scope="module")
def checkov_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("checkov-home")


def test_checkov_finds_no_unreviewed_failure(any_template_file: Path, checkov_workdir: Path) -> None:
    scan = _run_checkov(checkov_workdir, "--config-file", str(CONFIG), "-f", str(any_template_file))

    failed: list[dict[str, Any]] = scan.results.get("failed_checks", [])
    failures = (
        f"checkov found {scan.summary['failed']} failed check(s) on the synthesized template:\n"
        + "\n".join(f"  {_describe(check)}" for check in failed)
        + "\nFix the stack (infra/), or, once a reviewer accepts it, add the check to skip-check in "
        ".checkov.yaml with the reason as a comment above it."
    )
    assert not failed, failures
    assert scan.summary["failed"] == 0, failures
    assert scan.summary["parsing_errors"] == 0, f"checkov could not parse the template:\n{scan.stderr}"
    assert scan.summary["resource_count"] >= 1, f"checkov saw no resources: {scan.summary}"
    assert scan.summary["passed"] >= 1, f"checkov ran no check on the template: {scan.summary}"

    # Only inline skips (template Metadata) are reported as skipped; skip-check ones never run.
    skipped: list[dict[str, Any]] = scan.results.get("skipped_checks", [])
    unexplained = [
        check for check in skipped if str(check.get("suppress_comment") or "").strip() in {"", NO_COMMENT}
    ]
    assert not unexplained, "inline checkov skips without a reason:\n" + "\n".join(
        f"  {_describe(check)}" for check in unexplained
    )
    hidden = scan.summary["skipped"] - len(skipped)
    assert hidden == 0, (
        f"checkov skipped {hidden} check(s) inline (template Metadata) that its quiet output does not "
        "list, so their reasons cannot be checked: put each skip, with its reason, in .checkov.yaml."
    )


def test_every_skip_has_a_written_reason() -> None:
    skips = configured_skips()
    ids = [check_id for check_id, _ in skips]
    assert len(ids) == len(set(ids)), f"duplicate skip-check entries: {ids}"
    bad_ids = [check_id for check_id in ids if not _CHECK_ID.match(check_id)]
    assert not bad_ids, f"skip-check entries must be single check ids, not {bad_ids}"
    unexplained = [check_id for check_id, comment in skips if len(comment) < MIN_REASON_CHARS]
    assert not unexplained, (
        f"these skip-check entries lack a reason (a comment line of at least {MIN_REASON_CHARS} "
        f"characters right above the entry) in .checkov.yaml: {unexplained}"
    )


def test_every_skip_still_fails_without_it(
    template_file: Path, organization_template_file: Path, checkov_workdir: Path
) -> None:
    """A skip whose check now passes in both modes (the stack was fixed) must be dropped from .checkov.yaml."""
    ids = [check_id for check_id, _ in configured_skips()]
    if not ids:
        return
    still_failing: set[str] = set()
    for template in (template_file, organization_template_file):
        # The same settings as .checkov.yaml, with the skipped checks run instead of skipped.
        scan = _run_checkov(
            checkov_workdir,
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "--check",
            ",".join(ids),
            "-f",
            str(template),
        )
        still_failing |= {check["check_id"] for check in scan.results.get("failed_checks", [])}
    stale = sorted(set(ids) - still_failing)
    assert not stale, (
        f"these checks no longer fail on the template; remove them from skip-check in .checkov.yaml: {stale}"
    )


def test_checkov_finds_nothing_in_the_member_role_template(tmp_path: Path, checkov_workdir: Path) -> None:
    """The member role's template (infra/member_role.py), scanned with no skip at all."""
    member = tmp_path / "BedrockEvaluationJanitorMember.template.json"
    member.write_text(
        json.dumps(
            member_role_template(
                retain_tag_key="janitor:retain",
                batched_tag_lookups=True,
                regions=["us-east-1", "eu-west-1"],
                organization_id="o-a1b2c3d4e5",
                outputs=OutputPermissions(("eval-results",), all_versions=True),
            )
        )
    )

    scan = _run_checkov(
        checkov_workdir, "--framework", "cloudformation", "--skip-download", "-f", str(member)
    )

    failed = [_describe(check) for check in scan.results.get("failed_checks", [])]
    assert (scan.summary["failed"], failed) == (0, [])
    assert (scan.summary["parsing_errors"], scan.summary["resource_count"]) == (0, 2)
