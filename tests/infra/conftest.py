"""Fixtures that synthesize the stack for the template tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.synthesis import Synth, synthesize


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The stack with cdk.json's defaults."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"))[1]


@pytest.fixture
def synth(tmp_path: Path) -> Synth:
    """Synthesize with context overrides given as keyword arguments (strings, as `-c` gives them)."""

    def run(**overrides: Any) -> Template:
        return synthesize(tmp_path / "cdk.out", **overrides)[1]

    return run
