"""Benchmarks write to an untracked folder unless asked to update the committed figures, and the
README's `--out plan.json` is ignored by git."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "benchmarks" / "results"
UNTRACKED = REPO / ".bench"

#: `python -m NAME`, each with the parse_args its main reads the command line with.
ENTRY_POINTS = {
    "benchmarks": "benchmarks.__main__",
    "benchmarks.retry_layers": "benchmarks.retry_layers",
    "benchmarks.organization_run": "benchmarks.organization_run",
}


def parsed(entry: str, argv: list[str]) -> Any:
    return importlib.import_module(ENTRY_POINTS[entry]).parse_args(argv)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_benchmark_writes_to_the_untracked_folder_by_default(entry: str) -> None:
    assert parsed(entry, []).output_dir == UNTRACKED


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_update_committed_writes_the_committed_figures(entry: str) -> None:
    assert parsed(entry, ["--update-committed"]).output_dir == COMMITTED


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_an_explicit_output_dir_wins(entry: str, tmp_path: Path) -> None:
    assert parsed(entry, ["--output-dir", str(tmp_path)]).output_dir == tmp_path


def make_dry_run(*args: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.splitlines()


@pytest.mark.parametrize("target", ["bench", "bench-quick", "bench-retry-layers", "bench-organization"])
def test_make_bench_updates_the_committed_figures_only_when_asked(target: str) -> None:
    [default] = [line for line in make_dry_run(target) if "-m benchmarks" in line]
    assert "--update-committed" not in default
    [asked] = [line for line in make_dry_run(target, "UPDATE_FIGURES=1") if "-m benchmarks" in line]
    assert asked.endswith("--update-committed")


@pytest.mark.parametrize(
    "path", [".bench/latest.json", ".bench/wall_time.png", ".demo/summaries.json", "plan.json"]
)
def test_what_the_benchmarks_the_demo_and_the_readme_example_write_is_ignored_by_git(path: str) -> None:
    result = subprocess.run(["git", "check-ignore", "--quiet", path], cwd=REPO, check=False)
    assert result.returncode == 0, f"{path} is not ignored by git"


def test_the_committed_figures_are_not_ignored() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "--quiet", "benchmarks/results/latest.json"], cwd=REPO, check=False
    )
    assert result.returncode == 1
