"""The tables a person reads, made to fit the terminal (80 columns, or narrower).

What tells items apart (a name, an id, an ARN) is never cut short: every column folds a value
too long for it onto further lines instead of ending it with an ellipsis. To leave those
columns room, the planned items are listed one table per account and Region (named in the
table's title, not repeated on every row), each with its id in a column of its own (the last
part of its ARN: what the console and the API call it), and its creation date without the time
(JSON and CSV keep the full time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from janitor.kinds import KINDS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor_cli.applying import ApplyResult
from janitor_cli.planning import Plan, PlannedJob, TargetPlan
from janitor_cli.text import one_line

#: Columns whose values are counts or ages, aligned right.
_NUMERIC = ("Age", "Jobs", "Listed", "Deleted", "Skipped", "Failed")
#: Narrow columns whose values are short and alike: they wrap at their blanks, leaving the width
#: to what tells items apart (rich would otherwise shrink every column alike).
_NARROW = {"Age (days)": 6, "Created": 10, "Status": 11}
#: The Reason cell of a kind that kept nothing in a Region: the row still says what was listed.
NOTHING_KEPT = "(none kept)"


def noun(kind: str) -> str:
    """A kind's noun, for a table (its name if it is none the command knows)."""
    return KINDS[kind].noun if kind in KINDS else kind


def item_id(arn: str) -> str:
    """The id of a resource: its ARN's part after the last `/` (an evaluation job's 12 characters)."""
    return arn.rsplit("/", 1)[-1]


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    """A table whose cells wrap at blanks and fold a longer word: no value ends in an ellipsis.
    Each cell is plain text on one line (a name's `[` is no markup, its escape codes are shown)."""
    made = Table(title=title)
    for column in columns:
        made.add_column(
            column,
            justify="right" if column.startswith(_NUMERIC) else "left",
            overflow="fold",
            max_width=_NARROW.get(column),
        )
    for row in rows:
        made.add_row(*(Text(one_line(cell)) for cell in row))
    return made


def _where(target: TargetPlan) -> str:
    profile = f", profile {target.profile}" if target.profile else ""
    return f"account {target.account_id}, {target.region}{profile}"


def _job_cells(job: PlannedJob) -> list[str]:
    return [job.noun, job.job_name, item_id(job.job_arn), job.status, job.creation_time[:10]]


def _heading(console: Console, text: str) -> None:
    """A table's heading line, bold, as a title would be (no markup read, no numbers coloured)."""
    console.print(Text(one_line(text), style="bold"), highlight=False)


def _titled(plural: str) -> str:
    return f"{plural[0].upper()}{plural[1:]}"


def plan_tables(plan: Plan, now: datetime, show_kept: bool, console: Console) -> None:
    """The planned items (one table per account and Region), what each kind listed and kept there
    and why (a row for every kind scanned, `0` listed included), and with `show_kept` every kept
    item."""
    targets = plan.targets
    if len(targets) > 1:
        _heading(console, f"{_titled(plan.plural)} to delete: {plan.job_count}, in {len(targets)} places")
    for target in targets:
        # A heading, not the table's title: a title wraps to the table's width, however narrow.
        _heading(console, f"{_titled(plan.plural)} to delete: {len(target.jobs)} ({_where(target)})")
        if target.jobs:
            console.print(
                table(
                    None,
                    ("Kind", "Name", "Id", "Status", "Created", "Age (days)"),
                    ([*_job_cells(job), str(job.age_days(now))] for job in target.jobs),
                )
            )
    console.print(
        table(
            "Kept, by reason",
            ("Account", "Region", "Kind", "Listed", "Reason", "Jobs"),
            (
                (t.account_id, t.region, noun(name), str(counts.scanned), reason, str(count))
                for t in targets
                for name, counts in t.kinds.items()
                for reason, count in (sorted(counts.skipped.items()) or [(NOTHING_KEPT, 0)])
            ),
        )
    )
    if show_kept:
        for target in targets:
            _heading(console, f"Kept: {len(target.kept)} ({_where(target)})")
            if target.kept:
                console.print(
                    table(
                        None,
                        ("Kind", "Name", "Id", "Status", "Created", "Reason"),
                        ([*_job_cells(job), reason] for job, reason in target.kept),
                    )
                )
    if EVALUATION_JOBS in plan.kinds:
        console.print(
            "Evaluation jobs newer than the cutoff are not listed at all (ListEvaluationJobs' creationTimeBefore)."
        )


def apply_tables(result: ApplyResult, console: Console) -> None:
    """The counts, by kind, and each item not deleted with its full ARN, code and message."""
    skipped = (
        ", ".join(f"{reason} {len(items)}" for reason, items in sorted(result.skipped.items())) or "none"
    )
    console.print(f"Deleted {len(result.deleted)}; skipped {skipped}; failed {len(result.failed)}.")
    by_kind = result.by_kind()
    if by_kind:
        console.print(
            table(
                "Applied, by kind",
                ("Kind", "Deleted", "Skipped", "Failed"),
                (
                    (noun(name), str(counts["deleted"]), str(counts["skipped"]), str(counts["failed"]))
                    for name, counts in by_kind.items()
                ),
            )
        )
    if result.failed:
        console.print(
            table(
                "Not deleted",
                ("Kind", "Job", "Code", "Message"),
                ((noun(f.kind), f.job_identifier, f.code, f.message) for f in result.failed),
            )
        )
