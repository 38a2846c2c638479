"""The function's code asset: the installed `janitor` package plus its pinned dependencies,
built without Docker.

The code comes from wherever Python imports `janitor` from: lambda_src/ in this checkout, or
site-packages where the wheel installed it (a team's own CDK app); the pins ship with this package
(requirements-lambda.txt and constraints.txt, links to the repo's own). Dependencies are installed
by pip for the Lambda platform (arm64, CPython 3.14) into a cache keyed by the pins, then copied
with the code into CDK's bundling directory. A deployment with list settings (accounts, OUs,
Regions, buckets) gets them in a file at the asset's root (janitor.config.deployment_file)
rather than in the environment, which Lambda caps at 4 KB: its source is a staged copy of the
package with that file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

import janitor
from janitor.config.deployment_file import DEPLOYMENT_FILE

from .asset_pruning import UNUSED_FILES, UNUSED_PACKAGES, kept_services, prune

#: The function's package, as Python finds it.
PACKAGE = Path(janitor.__file__).resolve().parent
#: In a checkout lambda_src/ holds the package and nothing else, so it is the asset's source as is.
CHECKOUT = PACKAGE.parent.name == "lambda_src"
SOURCE = PACKAGE.parent if CHECKOUT else PACKAGE
_HERE = Path(__file__).parent
REQUIREMENTS = _HERE / "requirements-lambda.txt"
CONSTRAINTS = _HERE / "constraints.txt"
#: Built dependencies and staged sources: the checkout's .build/, or the user's cache directory.
BUILD = (
    PACKAGE.parents[1] / ".build"
    if CHECKOUT
    else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bedrock-eval-janitor"
)
CACHE = BUILD / "lambda-deps"
STAGED_SOURCES = BUILD / "lambda-src"
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
            digest.update(str(file.relative_to(path if path.is_dir() else path.parent)).encode())
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
    """The asset's root: lambda_src/ itself, or a staged copy holding the `janitor` package (and,
    with list settings, DEPLOYMENT_FILE)."""
    if not deployment_file and CHECKOUT:
        return SOURCE
    content = json.dumps(dict(sorted(deployment_file.items())), indent=1).encode()
    digest = hashlib.sha256(_digest(SOURCE).encode() + content).hexdigest()[:16]
    target = STAGED_SOURCES / digest
    if not target.is_dir():
        staging = target.with_suffix(".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(PACKAGE, staging / "janitor", ignore=_NOT_SHIPPED)
        if deployment_file:
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
