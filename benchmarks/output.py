"""Where a benchmark writes its results: an untracked, git-ignored folder (`.bench/`) unless asked
to update the committed figures in benchmarks/results/ (`--update-committed`, what
`make bench UPDATE_FIGURES=1` passes), or told a folder (`--output-dir`)."""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The figures docs/performance.md, docs/safety.md and docs/organization-mode.md quote.
COMMITTED = REPO / "benchmarks" / "results"
#: A run's results by default: ignored by git (.gitignore), so a run leaves the checkout clean.
UNTRACKED = REPO / ".bench"


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--update-committed",
        action="store_true",
        help=f"write the committed figures in {COMMITTED.relative_to(REPO)}/ "
        f"(default: {UNTRACKED.relative_to(REPO)}/, ignored by git)",
    )
    parser.add_argument("--output-dir", type=Path, help="write the results here instead")


def resolve_output_dir(args: argparse.Namespace) -> argparse.Namespace:
    """`args` with output_dir set: --output-dir, else the committed folder or the untracked one."""
    if args.output_dir is None:
        args.output_dir = COMMITTED if args.update_committed else UNTRACKED
    return args


def shown(path: Path) -> str:
    """`path` relative to the checkout when inside it."""
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
