"""What the function's dependencies carry that it never loads, left out of its asset.

botocore ships the models of every AWS service (about 22 MB of its 24); the function makes
clients of a handful. Their names are read from the function's own code (every
`session.client("<service>", ...)` in lambda_src/) and from the kinds it cleans (each kind's
`service`, janitor.kinds), so a client added there keeps its model without a second list to
maintain; tests/infra/test_asset_contents.py imports every module of
the built asset and makes one call with each of those clients.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Collection
from pathlib import Path

from janitor.kinds import KINDS

_CLIENT_CALL = re.compile(r"""\.client\(\s*["']([a-z0-9-]+)["']""")
#: Clients a dependency makes: the X-Ray SDK's centralized sampler, wherever it does not find
#: itself in Lambda (LAMBDA_TASK_ROOT), creates an `xray` client.
DEPENDENCY_SERVICES = frozenset({"xray"})
#: Never imported by the function: boto3's resource models (it makes clients only),
#: Powertools' REST and GraphQL event handlers, and wrapt's type stubs.
UNUSED_PACKAGES = ("boto3/data", "aws_lambda_powertools/event_handler", "wrapt-stubs")
#: Files nothing reads at run time: installers' metadata (no entry point or plugin of these
#: packages is used; a "slim" package of serverless-python-requirements drops it too) and stubs.
UNUSED_FILES = ("*.dist-info", "**/*.pyi")


def kept_services(source: Path) -> frozenset[str]:
    """The services whose models the asset keeps: the function's clients and its dependencies'."""
    return function_services(source) | DEPENDENCY_SERVICES


def function_services(source: Path) -> frozenset[str]:
    """The services the function makes clients of: those its code names, and its kinds'."""
    return client_services(source) | {kind.service for kind in KINDS.values()}


def client_services(source: Path) -> frozenset[str]:
    """The botocore service names the code under `source` makes clients of."""
    return frozenset(
        service
        for module in sorted(source.rglob("*.py"))
        if "__pycache__" not in module.parts
        for service in _CLIENT_CALL.findall(module.read_text(encoding="utf-8"))
    )


def prune(dependencies: Path, services: Collection[str]) -> None:
    """Remove from `dependencies` the botocore models of other services (the shared files at
    the data folder's root stay: endpoints, partitions, retry and default configuration),
    UNUSED_PACKAGES and UNUSED_FILES."""
    data = dependencies / "botocore" / "data"
    missing = sorted(set(services) - {entry.name for entry in data.iterdir()})
    if missing:
        raise ValueError(f"botocore has no model for {', '.join(missing)}: is the service name right?")
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in services:
            shutil.rmtree(entry)
    for package in UNUSED_PACKAGES:
        shutil.rmtree(dependencies / package)
    for pattern in UNUSED_FILES:
        for path in list(dependencies.glob(pattern)):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def size_bytes(path: Path) -> int:
    """The bytes of every file under `path`: what Lambda counts as the unzipped size."""
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file() and not file.is_symlink())
