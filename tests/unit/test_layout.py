"""The function's package stays a shape a newcomer can hold: folders by role, small modules, and
imports that run one way, with the pure core importing nothing that talks to AWS."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lambda_src" / "janitor"
#: Each folder may import only the folders after it (and itself): handlers -> run -> organization
#: and outputs -> aws -> config -> kinds -> core.
LAYERS = ("handlers", "run", "organization", "outputs", "aws", "config", "kinds", "core")
#: The folders that declare and decide, and never talk to AWS.
PURE = ("core", "kinds", "config")
#: What talks to AWS (or to the network at all): never imported by PURE folders.
AWS_LIBRARIES = ("boto3", "botocore", "aws_xray_sdk", "urllib3")
MAX_MODULE_LINES = 300
MAX_MODULES_PER_FOLDER = 10


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def folder_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "janitor" else None


def test_every_module_lives_in_a_folder_named_for_its_role() -> None:
    top_level = [path.name for path in PACKAGE.glob("*.py")]
    assert top_level == ["__init__.py"]
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"} == set(
        LAYERS
    )


@pytest.mark.parametrize("folder", LAYERS)
def test_no_folder_holds_more_than_10_modules(folder: str) -> None:
    assert (
        len([p for p in (PACKAGE / folder).glob("*.py") if p.name != "__init__.py"]) <= MAX_MODULES_PER_FOLDER
    )


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0]
    if own not in LAYERS:
        return
    allowed = set(LAYERS[LAYERS.index(own) :])
    wrong = sorted(
        module
        for module in imported(path)
        if (folder := folder_of(module)) is not None and folder not in allowed
    )
    assert wrong == [], f"{own}/ may import only {sorted(allowed)}"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(PACKAGE).parts[0] in PURE],
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_the_pure_modules_import_nothing_that_talks_to_aws(path: Path) -> None:
    talking = sorted(name for name in imported(path) if name.split(".")[0] in AWS_LIBRARIES)
    assert talking == []
