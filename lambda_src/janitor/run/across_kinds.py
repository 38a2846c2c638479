"""One run over every enabled kind of leftover: each kind in turn (janitor.run.service), under
one cap and one deadline, reported as one summary with each kind's counts beside the totals.

The cap is shared: a kind may delete only what the kinds before it left of `maxDeletions`. A
systemic error or the end of the time budget stops the whole run (reported once); a kind that
reaches the cap or whose listing failed leaves the next kinds to run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from janitor.config.settings import Settings
from janitor.core.job_store import LeftoverStore, TagIndex
from janitor.core.kind import Kind
from janitor.core.report import RunSummary
from janitor.outputs.cleanup import OutputCleanup
from janitor.run.service import STOPPED_BY_CAP, STOPPED_BY_LISTING_ERROR, JanitorRun
from janitor.run.tally import EventLog

#: How a report names what failed when more than one kind did.
ALL_KINDS_NOUN = "Bedrock evaluation resource"
#: What stopping one kind early does not stop: the next kinds still run.
_NEXT_KINDS_RUN = frozenset({None, STOPPED_BY_CAP, STOPPED_BY_LISTING_ERROR})


def kind_runs(
    settings: Settings,
    stores: Mapping[str, LeftoverStore],
    log: EventLog,
    now: datetime,
    remaining_seconds: Callable[[], float],
    tag_index: TagIndex | None = None,
    outputs: OutputCleanup | None = None,
    record_decisions: bool = False,
) -> Iterator[tuple[Kind, JanitorRun]]:
    """Each enabled kind's finished run, in order, each capped by what the ones before left."""
    used = 0
    for kind in settings.enabled_kinds:
        # tagLookup=perJob reads tags with the kind's own call; a kind without one uses the index.
        batched = settings.tag_lookup == "batched" or kind.tags_operation is None
        run = JanitorRun(
            store=stores[kind.name],
            policy=dataclasses.replace(
                settings.selection_policy(now, kind), max_deletions=settings.max_deletions - used
            ),
            dry_run=settings.dry_run,
            older_than_days=settings.older_than_days,
            log=log,
            remaining_seconds=remaining_seconds,
            time_reserve_seconds=settings.time_reserve_seconds,
            max_concurrency=settings.max_concurrency,
            tag_index=tag_index if batched else None,
            outputs=outputs if kind.has_outputs else None,
            record_decisions=record_decisions,
        )
        log.info(
            f"Cleaning {kind.plural}", extra={"kind": kind.name, "maxDeletions": run.policy.max_deletions}
        )
        summary = run.execute()
        # Places taken: selected and not certainly refused (a dry run's selections included).
        used += summary.eligible - run.tally.released
        yield kind, run
        if summary.stopped_by not in _NEXT_KINDS_RUN:
            return


def combined_summary(settings: Settings, runs: list[tuple[Kind, JanitorRun]]) -> RunSummary:
    """The totals of `runs`, each kind's failures named, and each kind's own counts under `kinds`."""
    total = RunSummary(
        dry_run=settings.dry_run,
        older_than_days=settings.older_than_days,
        max_deletions=settings.max_deletions,
    )
    failing: list[Kind] = []
    for kind, run in runs:
        part = run.summary
        total.scanned += part.scanned
        total.eligible += part.eligible
        total.deleted += part.deleted
        total.failed_jobs += [dataclasses.replace(job, kind=kind.name) for job in part.failed_jobs]
        for reason, count in part.skipped.items():
            total.skipped[reason] = total.skipped.get(reason, 0) + count
        if part.stopped_by is not None and total.stopped_by in (None, STOPPED_BY_CAP):
            total.stopped_by = part.stopped_by
        total.error = total.error or part.error
        total.systemic_error = total.systemic_error or part.systemic_error
        if part.outputs is not None:
            total.outputs = part.outputs
        if part.failed:
            failing.append(kind)
        total.kinds[kind.name] = {
            "scanned": part.scanned,
            "eligible": part.eligible,
            "deleted": part.deleted,
            "failed": part.failed,
            "skipped": dict(sorted(part.skipped.items())),
            "stoppedBy": part.stopped_by,
        }
    named = failing or [kind for kind, _ in runs]
    total.noun = named[0].noun if len(named) == 1 else ALL_KINDS_NOUN
    return total


def run_janitor(
    settings: Settings,
    stores: Mapping[str, LeftoverStore],
    log: EventLog,
    now: datetime,
    remaining_seconds: Callable[[], float],
    tag_index: TagIndex | None = None,
    outputs: OutputCleanup | None = None,
) -> RunSummary:
    """One run under `settings` (overrides already applied) over each enabled kind's store in
    `stores` (and `tag_index`, and, with DELETE_OUTPUTS, removing the deleted jobs' outputs)."""
    runs = list(kind_runs(settings, stores, log, now, remaining_seconds, tag_index, outputs))
    return combined_summary(settings, runs)
