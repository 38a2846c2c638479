"""The function's code asset: lambda_src/ plus its pinned dependencies, built without Docker.

Dependencies are installed by pip for the Lambda platform (arm64, CPython 3.14) into a cache
keyed by the requirement files, then copied with the source into CDK's bundling directory. A
deployment with list settings (accounts, OUs, Regions, buckets) gets them in a file at the
asset's root (janitor.config.deployment_file) rather than in the environment, which Lambda
caps at 4 KB: its source is a copy of lambda_src/ with that file, staged under .build/.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.asset_pruning import UNUSED_FILES, UNUSED_PACKAGES, kept_services, prune
from janitor.config.deployment_file import DEPLOYMENT_FILE

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "lambda_src"
REQUIREMENTS = REPO / "requirements-lambda.txt"
CONSTRAINTS = REPO / "constraints.txt"
CACHE = REPO / ".build" / "lambda-deps"
STAGED_SOURCES = REPO / ".build" / "lambda-src"
#: The newest Python runtime Lambda offers (cdk-nag L1 holds us to it).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = ("--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.14")


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256(" ".join(PIP_PLATFORM).encode())
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(REPO)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def install_dependencies() -> Path:
    """The pinned Lambda dependencies for arm64/CPython 3.14, less what the function never loads
    (infra/asset_pruning.py), installed once per requirement change or change of clients."""
    services = kept_services(SOURCE)
    key = f"{_digest(REQUIREMENTS, CONSTRAINTS)} {sorted(services)} {UNUSED_PACKAGES} {UNUSED_FILES}"
    target = CACHE / hashlib.sha256(key.encode()).hexdigest()[:16]
    if target.is_dir():
        return target
    staging = target.with_suffix(".partial")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-qq",
            "--disable-pip-version-check",
            "--no-compile",
            "--only-binary=:all:",
            *PIP_PLATFORM,
            "--target",
            str(staging),
            "-r",
            str(REQUIREMENTS),
            "-c",
            str(CONSTRAINTS),
        ],
        check=True,
    )
    prune(staging, services)
    staging.rename(target)
    return target


_NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")


def staged_source(deployment_file: Mapping[str, str]) -> Path:
    """lambda_src/ itself, or, with list settings, a copy of it holding DEPLOYMENT_FILE too."""
    if not deployment_file:
        return SOURCE
    content = json.dumps(dict(sorted(deployment_file.items())), indent=1).encode()
    digest = hashlib.sha256(_digest(SOURCE).encode() + content).hexdigest()[:16]
    target = STAGED_SOURCES / digest
    if not target.is_dir():
        staging = target.with_suffix(".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(SOURCE, staging, ignore=_NOT_SHIPPED)
        (staging / DEPLOYMENT_FILE).write_bytes(content)
        try:
            staging.rename(target)
        except OSError:
            # Another synth staged the same source meanwhile.
            shutil.rmtree(staging, ignore_errors=True)
    return target


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """CDK local bundling: no Docker engine is needed (or used) to build the asset."""

    def __init__(self, source: Path) -> None:
        self._source = source

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        shutil.copytree(install_dependencies(), output_dir, dirs_exist_ok=True)
        shutil.copytree(self._source, output_dir, dirs_exist_ok=True, ignore=_NOT_SHIPPED)
        return True


def function_code(deployment_file: Mapping[str, str] | None = None) -> lambda_.Code:
    """The asset; `deployment_file`: the list settings the function reads at its root."""
    source = staged_source(deployment_file or {})
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=_digest(source, REQUIREMENTS, CONSTRAINTS),
        # jsii hands try_bundle the options as one struct, which mypy's view of the protocol misses.
        bundling=BundlingOptions(
            image=RUNTIME.bundling_image, local=cast(ILocalBundling, PipLocalBundling(source))
        ),
    )
