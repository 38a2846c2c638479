"""The Handler in the template resolves to a callable in the asset CDK staged, from the asset alone."""

from __future__ import annotations

import json
from pathlib import Path

from app import STACK_NAME
from tests.infra.asset_support import host_overlay, run_asset_handler
from tests.infra.synthesis import janitor_function, synthesize


def test_the_templates_handler_imports_from_the_staged_asset_alone(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    _, template = synthesize(outdir, bundle=True)
    function = janitor_function(template)
    handler = function["Handler"]
    asset_hash = function["Code"]["S3Key"].removesuffix(".zip")
    assets = json.loads((outdir / f"{STACK_NAME}.assets.json").read_text())
    asset = outdir / assets["files"][asset_hash]["source"]["path"]
    assert asset.is_dir()

    report = run_asset_handler(
        asset,
        handler,
        host_overlay(tmp_path / "overlay"),
        {
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:janitor",
            **{k: v for k, v in function["Environment"]["Variables"].items() if isinstance(v, str)},
        },
    )

    assert report["callable"] is True
    for module in ("module_file", "boto3_file", "powertools_file"):
        assert report[module].startswith(str(asset)), f"{module} must come from the asset: {report[module]}"
    assert report["boto3_version"] == "1.44.5", "the pinned boto3 ships in the asset"
