"""requirements.txt is the CDK app's whole requirement set: `cdk synth` works in a virtualenv holding
only it, as on a machine that never ran `make`.

pip downloads from PyPI (or reuses its cache); the pinned CLI and Node 22 come from node_modules/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import STACK_NAME
from tests.infra.synthesis import CDK_CLI, REPO

pytestmark = pytest.mark.slow

#: Variables that would lend the fresh virtualenv the test environment's packages or interpreter.
BORROWED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")


def run(arguments: list[str], environment: dict[str, str], cwd: Path = REPO) -> str:
    completed = subprocess.run(
        arguments, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, f"{arguments[:3]} failed:\n{completed.stderr[-4000:]}"
    return completed.stdout


def test_cdk_synth_works_in_a_fresh_virtualenv_with_only_requirements_txt(tmp_path: Path) -> None:
    started = time.monotonic()
    venv = tmp_path / "venv"
    # The base interpreter, not the project's .venv: `python -m venv` inside a venv uses the base.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    environment = {key: value for key, value in os.environ.items() if key not in BORROWED}
    environment.update(
        # The fresh venv's python3 runs cdk.json's "app"; jsii runs on the pinned Node 22.
        PATH=os.pathsep.join([str(venv / "bin"), str(REPO / "node_modules/node/bin"), environment["PATH"]]),
        CDK_HOME=str(REPO / ".cdk"),
        CDK_DISABLE_CLI_TELEMETRY="true",
    )
    run(
        [
            str(venv / "bin/python"),
            "-m",
            "pip",
            "install",
            "-qq",
            "--disable-pip-version-check",
            # Byte-compiling all of aws-cdk-lib costs more than the imports synth makes.
            "--no-compile",
            "-r",
            str(REPO / "requirements.txt"),
            "-c",
            str(REPO / "constraints.txt"),
        ],
        environment,
    )
    installed = time.monotonic()
    python3 = run(["python3", "-c", "import sys; print(sys.prefix)"], environment).strip()
    assert Path(python3) == venv, "cdk.json's `python3 app.py` must run in the fresh virtualenv"

    out = tmp_path / "cdk.out"
    run([CDK_CLI, "synth", "--quiet", "-o", str(out)], environment)
    template = json.loads((out / f"{STACK_NAME}.template.json").read_text())
    assert any(r["Type"] == "AWS::Lambda::Function" for r in template["Resources"].values())
    print(
        f"fresh venv: install {installed - started:.1f} s, synth {time.monotonic() - installed:.1f} s",
        file=sys.stderr,
    )
