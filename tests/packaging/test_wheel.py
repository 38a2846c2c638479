"""One wheel, bedrock-eval-janitor, installed as a team would: the command alone in one fresh
virtualenv (no CDK there), and with the `cdk` extra in another, where a small CDK app of the
team's own composes the construct and synthesizes. The wheel's own code is what runs: the
fresh virtualenvs see nothing of this checkout.

pip installs from PyPI (or its cache), held to this repo's pins with constraints.txt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from localdev.services import LocalAws
from tests.infra.synthesis import REPO

pytestmark = pytest.mark.slow

#: Variables that would lend the fresh virtualenv the test environment's packages or interpreter.
BORROWED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")

TEAM_APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    from bedrock_eval_janitor import BedrockEvaluationJanitor

    app = cdk.App()
    stack = cdk.Stack(app, "PlatformTools")
    janitor = BedrockEvaluationJanitor(
        stack, "EvaluationJanitor",
        older_than_days=21, max_deletions=300, kinds=["evaluationJobs", "batchEvaluations"],
        notification_emails=["ml-platform@example.com"], schedule_expression="cron(30 2 * * ? *)",
    )
    cdk.CfnOutput(stack, "JanitorFunction", value=janitor.function.function_name)
    app.synth()
    """
)


def run(arguments: list[str], environment: dict[str, str], cwd: Path) -> str:
    completed = subprocess.run(
        arguments, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900, check=False
    )
    assert completed.returncode == 0, f"{arguments[:4]} failed:\n{completed.stderr[-4000:]}"
    return completed.stdout


#: What the wheel is built from (a copy, so that setuptools' build/ never lands in the checkout).
WHEEL_SOURCES = (
    "pyproject.toml",
    "infra",
    "lambda_src",
    "janitor_cli",
    "requirements-lambda.txt",
    "constraints.txt",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in WHEEL_SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy(REPO / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        timeout=300,
    )
    [built] = out.glob("bedrock_eval_janitor-*.whl")
    print(f"wheel: {built.stat().st_size / 1000:.0f} kB")  # the docs' figure (docs/development.md)
    return built


def fresh_venv(where: Path, requirement: str) -> tuple[Path, dict[str, str]]:
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    environment = {key: value for key, value in os.environ.items() if key not in BORROWED}
    environment["PATH"] = os.pathsep.join([str(venv / "bin"), environment["PATH"]])
    run(
        [
            str(venv / "bin/python"), "-m", "pip", "install", "-qq", "--disable-pip-version-check",
            "--no-compile", requirement, "-c", str(REPO / "constraints.txt"),
        ],
        environment,
        where,
    )  # fmt: skip
    return venv, environment


def test_the_command_alone_installs_without_the_cdk_and_plans(
    wheel: Path, tmp_path: Path, local: LocalAws
) -> None:
    venv, environment = fresh_venv(tmp_path, str(wheel))
    python = str(venv / "bin/python")
    assert "Usage" in run([str(venv / "bin/bedrock-eval-janitor"), "--help"], environment, tmp_path)
    missing = subprocess.run(
        [python, "-c", "import aws_cdk"], env=environment, capture_output=True, check=False
    )
    assert missing.returncode != 0, "the command alone brings no CDK"
    asked = subprocess.run(
        [python, "-c", "from bedrock_eval_janitor import BedrockEvaluationJanitor"],
        env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "pip install 'bedrock-eval-janitor[cdk]'" in asked.stderr
    local.bedrock.add_job(status="Completed", creation_time=None)
    plan = run(
        [str(venv / "bin/bedrock-eval-janitor"), "plan", "--region", "us-east-1", "--output", "json"],
        {
            **environment,
            "AWS_ENDPOINT_URL": local.bedrock.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
        tmp_path,
    )
    assert json.loads(plan)["targets"][0]["scanned"] == 0, "a job created now is too recent"


def test_a_teams_own_app_composes_the_construct_from_the_installed_package(
    wheel: Path, tmp_path: Path
) -> None:
    venv, environment = fresh_venv(tmp_path, f"bedrock-eval-janitor[cdk] @ {wheel.as_uri()}")
    app = tmp_path / "team-app"
    app.mkdir()
    (app / "app.py").write_text(TEAM_APP)
    environment.update(
        CDK_OUTDIR=str(app / "cdk.out"),
        # The construct's build cache: the user's cache directory, here a folder of this test's.
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        # jsii runs on the pinned Node 22.
        PATH=os.pathsep.join([str(REPO / "node_modules/node/bin"), environment["PATH"]]),
    )
    started = time.monotonic()
    run([str(venv / "bin/python"), "app.py"], environment, app)
    print(f"team app synth: {time.monotonic() - started:.1f} s")  # the docs' figure (docs/development.md)

    template = json.loads((app / "cdk.out" / "PlatformTools.template.json").read_text())
    resources = template["Resources"]
    [function] = [
        r for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function" and "OLDER_THAN_DAYS" in json.dumps(r)
    ]  # fmt: skip
    variables = function["Properties"]["Environment"]["Variables"]
    assert (variables["OLDER_THAN_DAYS"], variables["MAX_DELETIONS"]) == ("21", "300")
    assert variables["KINDS"] == "batchEvaluations,evaluationJobs"
    [schedule] = [r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    assert schedule["Properties"]["ScheduleExpression"] == "cron(30 2 * * ? *)"
    [subscription] = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Properties"]["Endpoint"] == "ml-platform@example.com"
    # The code came from the installed package, not this checkout.
    asset_dirs = [p for p in (app / "cdk.out").iterdir() if p.name.startswith("asset.")]
    assert any((d / "janitor" / "handlers" / "cleanup.py").is_file() for d in asset_dirs)
    assert str(REPO) not in (app / "cdk.out" / "PlatformTools.assets.json").read_text()
