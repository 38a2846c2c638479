"""cdk-nag (AwsSolutions and Serverless packs) and cfn-lint on the synthesized template."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import STACK_NAME
from tests.infra.synthesis import EVERYTHING_ON, synthesize


@pytest.fixture(scope="module", params=["default", "everything on"])
def outdir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stack as deployed by default, and with every opt-in on (organization mode, outputs)."""
    path = tmp_path_factory.mktemp("cdk.out")
    synthesize(path, **(EVERYTHING_ON if request.param == "everything on" else {}))
    return path


def test_cdk_nag_finds_nothing_unacknowledged_and_every_acknowledgement_has_a_reason(outdir: Path) -> None:
    report = json.loads((outdir / "validation-report.json").read_text())
    packs = {plugin["pluginName"]: plugin for plugin in report["pluginReports"]}
    assert set(packs) == {"AwsSolutions", "Serverless"}
    for plugin in packs.values():
        assert plugin["conclusion"] == "success"
        assert plugin["violations"] == []
        for suppressed in plugin["suppressedViolations"]:
            assert len(suppressed["reason"]) > 80, suppressed["ruleName"]


def test_cfn_lint_passes(outdir: Path) -> None:
    template = outdir / f"{STACK_NAME}.template.json"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(template)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout + result.stderr
