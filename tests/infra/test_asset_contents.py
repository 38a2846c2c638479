"""The built asset carries only what runs: botocore's models of the services the function makes
clients of, and nothing it does not import; every module of it imports, and each of its clients
makes a call, from the asset alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import STACK_NAME
from infra.asset_pruning import DEPENDENCY_SERVICES, UNUSED_PACKAGES, function_services, size_bytes
from infra.lambda_asset import SOURCE
from localdev.lambda_runtime import lambda_runtime_environment
from localdev.services import LocalAws
from tests.infra.asset_support import host_overlay
from tests.infra.synthesis import janitor_function, synthesize

RUNNER = Path(__file__).with_name("asset_clients_runner.py")
#: Lambda's unzipped size is what each cold start unpacks; the target of the trimmed asset.
MAX_ASSET_BYTES = 15_000_000


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    _, template = synthesize(outdir, bundle=True)
    asset_hash = janitor_function(template)["Code"]["S3Key"].removesuffix(".zip")
    assets = json.loads((outdir / f"{STACK_NAME}.assets.json").read_text())
    return outdir / str(assets["files"][asset_hash]["source"]["path"])


def test_the_asset_holds_the_models_of_the_services_the_function_calls_and_no_other(asset: Path) -> None:
    services = function_services(SOURCE)
    assert services == {
        "bedrock",
        "bedrock-agentcore",
        "resourcegroupstaggingapi",
        "s3",
        "sns",
        "sts",
        "organizations",
        "stepfunctions",
    }
    models = {entry.name for entry in (asset / "botocore" / "data").iterdir() if entry.is_dir()}
    assert models == services | DEPENDENCY_SERVICES
    assert (asset / "botocore" / "data" / "endpoints.json").is_file(), "the shared files stay"
    for package in UNUSED_PACKAGES:
        assert not (asset / package).exists(), package
    assert not list(asset.glob("*.dist-info"))


def test_the_asset_is_at_most_15_mb_unzipped(asset: Path) -> None:
    assert size_bytes(asset) <= MAX_ASSET_BYTES, f"{size_bytes(asset) / 1e6:.2f} MB"


def test_every_module_imports_and_every_client_makes_a_call_from_the_asset_alone(
    asset: Path, local: LocalAws, tmp_path: Path
) -> None:
    services = sorted(function_services(SOURCE))
    environment = {
        "PATH": os.environ["PATH"],
        # As Lambda runs it: the runtime's variables, the asset as the task root.
        **lambda_runtime_environment(),
        "LAMBDA_TASK_ROOT": str(asset),
        **local.function_environment(),
        # The coordinator's cold start needs its organization-run settings.
        "RESULTS_BUCKET": "janitor-results",
        "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:run",
    }
    completed = subprocess.run(
        [sys.executable, "-S", str(RUNNER), str(asset), str(host_overlay(tmp_path / "overlay")), *services],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["botocore"].startswith(str(asset)), "botocore comes from the asset"
    assert {"janitor.handlers.cleanup", "janitor.handlers.coordinator"} <= set(report["modules"])
    assert len(report["modules"]) == len(list((asset / "janitor").rglob("*.py"))) - 1, "every module"
    assert set(report["calls"]) == set(services)
    assert all(outcome.startswith("ok") for outcome in report["calls"].values()), report["calls"]
