"""`make demo`'s tables: a run's summary as a few lines a person reads, the full JSON elsewhere."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from janitor.kinds import KINDS

#: How many failed items (or kept outputs, or unreachable targets) a table's notes name.
NOTES_SHOWN = 3
NOTE_CHARACTERS = 160


def render(
    headers: Sequence[str], rows: Sequence[Sequence[object]], group: tuple[int, int, str] | None = None
) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned. `group`
    (first column, last column, label) labels a run of columns on a line above the headers."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    lines = [line(row) for row in cells]
    if group is not None:
        first, last, label = group
        start = sum(width + 2 for width in widths[:first])
        span = sum(width + 2 for width in widths[first : last + 1]) - 2
        lines.insert(0, " " * start + f" {label} ".center(span, "-"))
    return "\n".join(lines)


def words(name: str) -> str:
    """`notFinished` -> `not finished`."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _outputs(summary: Mapping[str, Any]) -> str:
    if "outputObjectsFound" not in summary:
        return "-"
    return f"{summary['outputObjectsDeleted']} of {summary['outputObjectsFound']}"


def run_table(summary: Mapping[str, Any]) -> str:
    """One single-account run: a row per kind and one for all, then what a person looks for next
    (the failed items, the outputs kept, why the run stopped)."""
    kinds: Mapping[str, Mapping[str, Any]] = summary["kinds"]
    reasons = sorted({reason for counts in kinds.values() for reason in counts["skipped"]})
    # The summary counts outputs for the whole run; with one kind that has outputs, they are its.
    with_outputs = [kind for kind in kinds if kind in KINDS and KINDS[kind].has_outputs]

    def row(name: str, counts: Mapping[str, Any], outputs: str) -> list[object]:
        kept = [counts["skipped"].get(reason, 0) for reason in reasons]
        return [
            name,
            counts["scanned"],
            *kept,
            counts["eligible"],
            counts["deleted"],
            counts["failed"],
            outputs,
        ]

    rows = [
        row(kind, counts, _outputs(summary) if with_outputs == [kind] else "-")
        for kind, counts in kinds.items()
    ]
    rows.append(row("all kinds", summary, _outputs(summary)))
    headers = ["kind", "scanned", *(words(reason) for reason in reasons), "eligible", "deleted", "failed"]
    lines = [render([*headers, "outputs deleted"], rows, group=(2, 1 + len(reasons), "kept, by reason"))]
    if summary["dryRun"]:
        lines.append("A dry run: the eligible ones would be deleted; nothing was.")
    for item in summary["failedJobs"][:NOTES_SHOWN]:
        lines.append(
            f"Failed: {item['jobIdentifier']} ({item.get('kind', '')}): {item['code']} {item['message']}"
        )
    for item in summary.get("outputsKept", [])[:NOTES_SHOWN]:
        lines.append(f"Outputs kept: {item['jobIdentifier']}: {item['reason']}")
    for item in summary.get("outputsFailed", [])[:NOTES_SHOWN]:
        lines.append(f"Outputs not deleted: {_short(str(item))}")
    if not summary["complete"]:
        lines.append(f"Incomplete: stopped by {summary['stoppedBy']}")
    return "\n".join(lines)


def organization_table(summary: Mapping[str, Any]) -> str:
    """An organization run: a row per Region, one per kind and one for all targets."""
    counts = ("scanned", "eligible", "deleted", "failed")
    failed_targets = summary["targetsFailed"]
    rows: list[list[object]] = [
        [region, values["targets"], values["targetsFailed"], *(values[count] for count in counts)]
        for region, values in summary["byRegion"].items()
    ]
    rows += [
        [kind, "", "", *(values[count] for count in counts)] for kind, values in summary["byKind"].items()
    ]
    rows.append(
        ["all targets", summary["targets"], len(failed_targets), *(summary[count] for count in counts)]
    )
    lines = [render(["region / kind", "targets", "unreachable", *counts], rows)]
    if failed_targets:
        named = ", ".join(
            f"{target['accountId']} {target['region']}" for target in failed_targets[:NOTES_SHOWN]
        )
        more = f" and {len(failed_targets) - NOTES_SHOWN} more" if len(failed_targets) > NOTES_SHOWN else ""
        lines.append(f"Unreachable: {named}{more}; the first's error: {failed_targets[0]['error']}")
    return "\n".join(lines)


def _short(text: str) -> str:
    return text if len(text) <= NOTE_CHARACTERS else text[: NOTE_CHARACTERS - 3] + "..."
