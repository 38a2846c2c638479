"""How a plan and an apply look: a rich table for people, JSON or CSV for programs; the progress bar."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from janitor.kinds import KINDS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor_cli.applying import ApplyResult
from janitor_cli.planning import Plan, PlannedJob, TargetPlan
from janitor_cli.text import one_line

#: The jobs the confirmation lists per account and Region, unless `--show-jobs`.
CONFIRM_JOBS_SHOWN = 10


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _noun(kind: str) -> str:
    """A kind's noun, for a table (its name if it is none the command knows)."""
    return KINDS[kind].noun if kind in KINDS else kind


def _job_row(target: TargetPlan, job: PlannedJob, now: datetime) -> dict[str, Any]:
    return {
        "account": target.account_id,
        "region": target.region,
        "kind": job.kind,
        "name": job.job_name,
        "status": job.status,
        "created": job.creation_time,
        "ageDays": job.age_days(now),
        "jobArn": job.job_arn,
    }


def plan_document(plan: Plan, now: datetime, show_kept: bool) -> dict[str, Any]:
    return {
        "createdAt": plan.created_at.isoformat(),
        "settings": plan.settings,
        "jobCount": plan.job_count,
        "targets": [
            {
                "accountId": target.account_id,
                "region": target.region,
                "profile": target.profile,
                "scanned": target.scanned,
                "skipped": target.skipped,
                "kinds": {
                    name: {"scanned": counts.scanned, "skipped": dict(sorted(counts.skipped.items()))}
                    for name, counts in target.kinds.items()
                },
                "jobs": [_job_row(target, job, now) for job in target.jobs],
                **(
                    {
                        "kept": [
                            {**_job_row(target, job, now), "reason": reason} for job, reason in target.kept
                        ]
                    }
                    if show_kept
                    else {}
                ),
            }
            for target in plan.targets
        ],
    }


def render_plan(plan: Plan, now: datetime, output: OutputFormat, show_kept: bool, console: Console) -> None:
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(plan_document(plan, now, show_kept), indent=2) + "\n")
    elif output is OutputFormat.CSV:
        sys.stdout.write(_plan_csv(plan, now, show_kept))
    else:
        _plan_tables(plan, now, show_kept, console)


def _plan_csv(plan: Plan, now: datetime, show_kept: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["action", "account", "region", "kind", "name", "status", "created", "age_days", "reason", "job_arn"]
    )
    for target in plan.targets:
        rows = [("delete", job, "") for job in target.jobs]
        rows += [("keep", job, reason) for job, reason in target.kept] if show_kept else []
        for action, job, reason in rows:
            row = _job_row(target, job, now)
            writer.writerow(
                [action, row["account"], row["region"], row["kind"], row["name"], row["status"],
                 row["created"], row["ageDays"], reason, row["jobArn"]]
            )  # fmt: skip
    return buffer.getvalue()


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    table = Table(title=title)
    for column in columns:
        numeric = column.startswith(("Age", "Jobs", "Listed", "Deleted", "Skipped", "Failed"))
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _plan_tables(plan: Plan, now: datetime, show_kept: bool, console: Console) -> None:
    targets = plan.targets
    console.print(
        _table(
            f"{plan.plural[0].upper()}{plan.plural[1:]} to delete: {plan.job_count}",
            ("Account", "Region", "Kind", "Name", "Status", "Created", "Age (days)"),
            (
                (
                    t.account_id,
                    t.region,
                    job.noun,
                    job.job_name,
                    job.status,
                    job.creation_time[:19],
                    str(job.age_days(now)),
                )
                for t in targets
                for job in t.jobs
            ),
        )
    )
    console.print(
        _table(
            "Kept, by reason",
            ("Account", "Region", "Kind", "Listed", "Reason", "Jobs"),
            (
                (t.account_id, t.region, _noun(name), str(counts.scanned), reason, str(count))
                for t in targets
                for name, counts in t.kinds.items()
                for reason, count in sorted(counts.skipped.items())
            ),
        )
    )
    if show_kept:
        console.print(
            _table(
                "Kept jobs",
                ("Account", "Region", "Kind", "Name", "Status", "Created", "Reason"),
                (
                    (
                        t.account_id,
                        t.region,
                        job.noun,
                        job.job_name,
                        job.status,
                        job.creation_time[:19],
                        reason,
                    )
                    for t in targets
                    for job, reason in t.kept
                ),
            )
        )
    if EVALUATION_JOBS in plan.kinds:
        console.print(
            "Evaluation jobs newer than the cutoff are not listed at all (ListEvaluationJobs' creationTimeBefore)."
        )


def render_apply(result: ApplyResult, output: OutputFormat, console: Console) -> None:
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    if output is OutputFormat.CSV:
        sys.stdout.write(_apply_csv(result))
        return
    skipped = (
        ", ".join(f"{reason} {len(items)}" for reason, items in sorted(result.skipped.items())) or "none"
    )
    console.print(f"Deleted {len(result.deleted)}; skipped {skipped}; failed {len(result.failed)}.")
    by_kind = result.by_kind()
    if by_kind:
        console.print(
            _table(
                "Applied, by kind",
                ("Kind", "Deleted", "Skipped", "Failed"),
                (
                    (_noun(name), str(counts["deleted"]), str(counts["skipped"]), str(counts["failed"]))
                    for name, counts in by_kind.items()
                ),
            )
        )
    if result.failed:
        console.print(
            _table(
                "Not deleted",
                ("Kind", "Job", "Code", "Message"),
                ((_noun(f.kind), f.job_identifier, f.code, f.message) for f in result.failed),
            )
        )


def _apply_csv(result: ApplyResult) -> str:
    """One row per planned resource: what became of it, its kind, and why (a skip's reason, a
    failure's code and message)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["outcome", "kind", "job_arn", "reason", "code", "message"])
    writer.writerows(["deleted", item.kind, item.arn, "", "", ""] for item in result.deleted)
    writer.writerows(
        ["skipped", item.kind, item.arn, reason, "", ""]
        for reason, items in sorted(result.skipped.items())
        for item in items
    )
    writer.writerows(
        ["failed", failure.kind, failure.job_identifier, "", failure.code, one_line(failure.message)]
        for failure in result.failed
    )
    return buffer.getvalue()


def confirmation_lines(
    plan: Plan, retain_tag_key: str, show_all: bool, limit: int = CONFIRM_JOBS_SHOWN
) -> list[str]:
    """What a person confirms: where, with which settings, how many jobs, and which (the first
    `limit` of each account and Region, or all of them)."""
    settings = plan.settings
    lines = [
        f"About to delete {plan.job_count} {plan.plural}, as planned at "
        f"{plan.created_at.isoformat(timespec='seconds')} with these settings:",
        f"  kinds {', '.join(settings['kinds'])}; older than {settings['olderThanDays']} days; at most {settings['maxDeletions']} per account "
        f"and Region; application types {', '.join(settings['applicationTypes'])}; statuses "
        f"{', '.join(settings['eligibleStatuses'])}; names excluded: "
        f"{one_line(repr(settings['nameExcludeRegex'])) if settings['nameExcludeRegex'] else 'none'}; "
        f"jobs tagged {one_line(retain_tag_key)}=true are kept",
    ]
    for target in plan.targets:
        profile = f" (profile {one_line(target.profile)})" if target.profile else ""
        lines.append(f"Account {target.account_id}, Region {target.region}{profile}: {len(target.jobs)} jobs")
        shown = target.jobs if show_all else target.jobs[:limit]
        lines += [
            f"  {job.noun}  {one_line(job.job_name)}  {job.status}  created {job.creation_time[:19]}  {job.job_arn}"
            for job in shown
        ]
        if len(shown) < len(target.jobs):
            lines.append(f"  ... and {len(target.jobs) - len(shown)} more (--show-jobs lists them all)")
    return lines


@contextmanager
def progress_bar(stderr: Console) -> Iterator[Progress]:
    """A progress bar on stderr, drawn only when both streams are terminals (never into a pipe)."""
    shown = stderr.is_terminal and sys.stdout.isatty()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=not shown,
        transient=True,
    ) as progress:
        yield progress
