"""How a plan, an apply and a run look: tables for people (janitor_cli.tables), JSON or CSV for
programs, one document per command; the confirmation; the progress bar."""

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

from janitor_cli.applying import ApplyResult
from janitor_cli.planning import Plan, PlannedJob, TargetPlan
from janitor_cli.tables import apply_tables, plan_tables
from janitor_cli.text import one_line

#: The jobs the confirmation lists per account and Region, unless `--show-jobs`.
CONFIRM_JOBS_SHOWN = 10


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


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
        sys.stdout.write(_csv(PLAN_CSV_HEADER, _plan_rows(plan, now, show_kept)))
    else:
        plan_tables(plan, now, show_kept, console)


#: The plan's CSV columns; `run`'s CSV adds RUN_CSV_OUTCOME.
PLAN_CSV_HEADER = (
    "action", "account", "region", "kind", "name", "status", "created", "age_days", "reason", "job_arn"
)  # fmt: skip
#: What became of each planned item in `run` (empty when nothing was applied).
RUN_CSV_OUTCOME = ("outcome", "outcome_reason", "code", "message")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _plan_rows(plan: Plan, now: datetime, show_kept: bool) -> Iterator[list[object]]:
    for target in plan.targets:
        rows = [("delete", job, "") for job in target.jobs]
        rows += [("keep", job, reason) for job, reason in target.kept] if show_kept else []
        for action, job, reason in rows:
            row = _job_row(target, job, now)
            yield [action, row["account"], row["region"], row["kind"], row["name"], row["status"],
                   row["created"], row["ageDays"], reason, row["jobArn"]]  # fmt: skip


def _outcomes(result: ApplyResult) -> dict[str, list[str]]:
    """ARN -> [outcome, reason, code, message] of each planned item `result` tells of."""
    outcomes = {item.arn: ["deleted", "", "", ""] for item in result.deleted}
    outcomes |= {
        item.arn: ["skipped", reason, "", ""] for reason, items in result.skipped.items() for item in items
    }
    outcomes |= {f.job_identifier: ["failed", "", f.code, one_line(f.message)] for f in result.failed}
    return outcomes


def render_apply(result: ApplyResult, output: OutputFormat, console: Console) -> None:
    """What an apply did, as `output` says: a JSON document, one CSV row per item, or tables."""
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif output is OutputFormat.CSV:
        sys.stdout.write(_apply_csv(result))
    else:
        apply_tables(result, console)


def render_run(
    plan: Plan, result: ApplyResult | None, now: datetime, output: OutputFormat, console: Console
) -> None:
    """`run`'s one document: the plan and what became of it (`result`; None when nothing was
    applied: a dry run, nothing to delete, or no yes). JSON: {"plan": ..., "applied": ...};
    CSV: the plan's rows, each with its outcome. Tables: only the outcome, as the plan's tables
    were shown before the confirmation asked about them (render_plan)."""
    if output is OutputFormat.JSON:
        document = {
            "plan": plan_document(plan, now, False),
            "applied": None if result is None else result.to_dict(),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif output is OutputFormat.CSV:
        outcomes = _outcomes(result or ApplyResult())
        rows = ([*row, *outcomes.get(str(row[-1]), ["", "", "", ""])] for row in _plan_rows(plan, now, False))
        sys.stdout.write(_csv(PLAN_CSV_HEADER + RUN_CSV_OUTCOME, rows))
    elif result is not None:
        apply_tables(result, console)
    elif plan.job_count == 0:
        console.print("Nothing to delete.")


def _apply_csv(result: ApplyResult) -> str:
    """One row per planned resource: what became of it, its kind, and why (a skip's reason, a
    failure's code and message)."""
    rows: list[list[str]] = [["deleted", item.kind, item.arn, "", "", ""] for item in result.deleted]
    rows += [
        ["skipped", item.kind, item.arn, reason, "", ""]
        for reason, items in sorted(result.skipped.items())
        for item in items
    ]
    rows += [
        ["failed", failure.kind, failure.job_identifier, "", failure.code, one_line(failure.message)]
        for failure in result.failed
    ]
    return _csv(["outcome", "kind", "job_arn", "reason", "code", "message"], rows)


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
