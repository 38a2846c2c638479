"""Locate a synthesized function asset and run its handler in a clean interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic_core

RUNNER = Path(__file__).with_name("asset_runner.py")
#: Compiled packages in the asset: built for arm64 Lambda, so the host's build of the same pinned
#: version stands in for them when the asset runs here.
COMPILED_PACKAGES = (Path(pydantic_core.__file__).parent,)


def host_overlay(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for package in COMPILED_PACKAGES:
        link = directory / package.name
        if not link.exists():
            link.symlink_to(package, target_is_directory=True)
    return directory


def run_asset_handler(
    asset: Path,
    handler: str,
    overlay: Path,
    environment: dict[str, str],
    event: Any = None,
    result_file: Path | None = None,
) -> dict[str, Any]:
    """Import the handler from `asset` in `python -S` (no site-packages); invoke it if `event` is given."""
    arguments = [sys.executable, "-S", str(RUNNER), str(asset), str(overlay), handler]
    if event is not None and result_file is not None:
        arguments += [json.dumps(event), str(result_file)]
    completed = subprocess.run(
        arguments,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    if result_file is not None:
        return json.loads(result_file.read_text())  # type: ignore[no-any-return]
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
