"""An organization run, gathered: one summary, per-Region metrics and one SNS report. Pure.

The organization run's fan-out (issue 13) runs the janitor once per target and hands this
module one result per target, in either shape:

- the janitor's summary (`RunSummary.to_dict()`, which names its `target`), or
- a target that failed as a whole, as the state machine's Catch records it: `{"target": {...},
  "failure": {"Error": ..., "Cause": ...}}` (for a Lambda error, `Cause` is the function's
  error as JSON, whose `errorMessage` is what is reported).

Metrics carry a `Region` dimension and no account dimension: their number, and so their cost,
does not grow with the number of accounts; per-account results are in the summary and the logs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from janitor.core.output_summary import OUTPUT_METRIC_NAMES
from janitor.core.report import (
    KIND_DIMENSION,
    METRIC_NAMES,
    SNS_MESSAGE_LIMIT_BYTES,
    SNS_SUBJECT_LIMIT,
    SnsMessage,
    pack_under_limit,
    sns_document,
)

#: The counts summed over targets: those the single-account run publishes as metrics.
COUNTS = tuple(METRIC_NAMES)


@dataclass(frozen=True, slots=True)
class TargetResult:
    account_id: str
    region: str
    #: The janitor's summary; None when the target failed as a whole.
    summary: Mapping[str, Any] | None
    #: Why the target failed as a whole, or why its run broke off; None when it ran through.
    error: str | None = None


def _cause(failure: Mapping[str, Any]) -> str:
    cause = failure.get("Cause", "")
    try:
        message = json.loads(cause).get("errorMessage") if isinstance(cause, str) else None
    except (ValueError, AttributeError):
        message = None
    return f"{failure.get('Error', 'Error')}: {message or cause or 'no cause given'}"


def read_results(items: Sequence[Mapping[str, Any]]) -> list[TargetResult]:
    """The fan-out's output, one item per target, as TargetResults."""
    results = []
    for item in items:
        target = item.get("target") or {}
        account, region = str(target.get("accountId", "?")), str(target.get("region", "?"))
        if "failure" in item:
            results.append(TargetResult(account, region, None, _cause(item["failure"])))
        else:
            # A run that broke off (its listing failed) still counts what it did, and fails.
            results.append(TargetResult(account, region, item, item.get("error")))
    return results


#: The lists in the summary, each entry with its account and Region; left out of the short form.
LISTS = ("targetsFailed", "targetsSkipped", "failedJobs", "outputsFailed")
#: DELETE_OUTPUTS: what the targets removed from S3, summed when any target reports it.
OUTPUT_COUNTS = tuple(OUTPUT_METRIC_NAMES)


def _per_target(results: Sequence[TargetResult], key: str) -> list[dict[str, Any]]:
    """Every entry of each target summary's `key` list, with the target's account and Region."""
    return [
        {"accountId": r.account_id, "region": r.region, **entry}
        for r in results
        if r.summary is not None
        for entry in r.summary.get(key, [])
    ]


def short_form(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary without its lists, whose length grows with the organization."""
    return {key: value for key, value in summary.items() if key not in LISTS}


def _failed_targets(results: Sequence[TargetResult]) -> list[dict[str, str]]:
    return [
        {"accountId": r.account_id, "region": r.region, "error": r.error or ""}
        for r in results
        if r.error is not None
    ]


def organization_summary(results: Sequence[TargetResult]) -> dict[str, Any]:
    """Targets run and failed, and the jobs scanned, eligible, deleted and failed: in all, by
    Region and by kind."""
    by_region: dict[str, dict[str, int]] = {}
    for r in results:
        region = by_region.setdefault(
            r.region, {"targets": 0, "targetsFailed": 0, **dict.fromkeys(COUNTS, 0)}
        )
        region["targets"] += 1
        if r.error is not None:
            region["targetsFailed"] += 1
        if r.summary is None:
            continue
        for count in COUNTS:
            region[count] += int(r.summary.get(count, 0))
    failed_targets = _failed_targets(results)
    skipped_targets = [
        {"accountId": r.account_id, "region": r.region, **r.summary["targetSkipped"]}
        for r in results
        if r.summary is not None and r.summary.get("targetSkipped")
    ]
    with_outputs = [r.summary for r in results if r.summary is not None and OUTPUT_COUNTS[0] in r.summary]
    by_kind: dict[str, dict[str, int]] = {}
    for r in results:
        for kind, counts in (r.summary or {}).get("kinds", {}).items():
            totals = by_kind.setdefault(kind, dict.fromkeys(COUNTS, 0))
            for count in COUNTS:
                totals[count] += int(counts.get(count, 0))
    return {
        "targets": len(results),
        "targetsFailed": failed_targets,
        "targetsSkipped": skipped_targets,
        **{count: sum(region[count] for region in by_region.values()) for count in COUNTS},
        **(
            {count: sum(int(s[count]) for s in with_outputs) for count in OUTPUT_COUNTS}
            if with_outputs
            else {}
        ),
        "failedJobs": _per_target(results, "failedJobs"),
        "outputsFailed": _per_target(results, "outputsFailed"),
        "byRegion": dict(sorted(by_region.items())),
        "byKind": dict(sorted(by_kind.items())),
        "complete": not failed_targets and all(r.summary and r.summary.get("complete") for r in results),
    }


def organization_metrics(summary: Mapping[str, Any]) -> list[tuple[dict[str, str], dict[str, int]]]:
    """(dimensions, metric values): the organization's totals, then one set per Region."""

    def values(counts: Mapping[str, Any], targets_failed: int) -> dict[str, int]:
        return {**{METRIC_NAMES[c]: int(counts[c]) for c in COUNTS}, "TargetsFailed": targets_failed}

    totals = values(summary, len(summary["targetsFailed"]))
    if OUTPUT_COUNTS[0] in summary:
        totals |= {OUTPUT_METRIC_NAMES[count]: int(summary[count]) for count in OUTPUT_COUNTS}
    metrics: list[tuple[dict[str, str], dict[str, int]]] = [({}, totals)]
    for region, counts in summary["byRegion"].items():
        metrics.append(({"Region": region}, values(counts, counts["targetsFailed"])))
    for kind, counts in summary.get("byKind", {}).items():
        metrics.append(({KIND_DIMENSION: kind}, {METRIC_NAMES[c]: int(counts[c]) for c in COUNTS}))
    return metrics


def _subject(summary: Mapping[str, Any], part: int, parts: int) -> str:
    jobs, targets = summary["failed"], len(summary["targetsFailed"])
    suffix = f" [{part}/{parts}]" if parts > 1 else ""
    return (
        f"Bedrock janitor (organization): {jobs} {'job' if jobs == 1 else 'jobs'} not deleted, "
        f"{targets} {'target' if targets == 1 else 'targets'} failed{suffix}"
    )[:SNS_SUBJECT_LIMIT]


def _document(summary: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], part: int, parts: int) -> str:
    skipped = [line for line in lines if "reason" in line and "jobIdentifier" not in line]
    targets = [line for line in lines if "jobIdentifier" not in line and "reason" not in line]
    jobs = [line for line in lines if "jobIdentifier" in line and "bucket" not in line]
    outputs = [line for line in lines if "bucket" in line]
    text = [
        f"The Bedrock evaluation-job janitor ran for {summary['targets']} targets (account, Region): "
        f"{summary['deleted']} jobs deleted, {summary['failed']} not deleted, "
        f"{len(summary['targetsFailed'])} targets failed as a whole."
        + (f" This is part {part} of {parts}." if parts > 1 else ""),
    ]
    if targets:
        text += ["", "Targets that failed (each is retried by the next run):"]
        text += [f"- {t['accountId']} {t['region']}: {t['error']}" for t in targets]
    if skipped:
        text += ["", "Targets skipped (their Region is not enabled in the account, or an SCP denies it):"]
        text += [f"- {t['accountId']} {t['region']}: {t['reason']}" for t in skipped]
    if jobs:
        text += ["", "Jobs not deleted:"]
        text += [
            f"- {j['accountId']} {j['region']} {j['jobIdentifier']}: {j['code']} {j['message']}" for j in jobs
        ]
    if outputs:
        text += ["", "S3 outputs not deleted (their jobs are deleted; no later run will find them):"]
        text += [
            f"- {o['accountId']} {o['region']} {o['jobIdentifier']}: {o['count']} left in "
            f"s3://{o['bucket']}/{o['prefix']} ({o['error']})"
            for o in outputs
        ]
    machine = {
        "source": "bedrock-evaluation-janitor",
        "part": part,
        "parts": parts,
        "failedTargets": targets,
        "failedJobs": jobs,
        **({"outputsFailed": outputs} if outputs else {}),
        **({"skippedTargets": skipped} if skipped else {}),
        "summary": short_form(summary),
    }
    return sns_document(json.dumps(machine, separators=(",", ":")), "\n".join(text))


def organization_failure_messages(
    summary: Mapping[str, Any], limit: int = SNS_MESSAGE_LIMIT_BYTES
) -> list[SnsMessage]:
    """Every failed target and every failed job with its account and Region, in as many SNS
    messages under `limit` bytes as it takes; none dropped. Nothing to say: no message."""
    lines = [*summary["targetsFailed"], *summary["failedJobs"], *summary["outputsFailed"]]
    if not lines:
        # Skipped targets alone are no failure to report: they are in the summary and the logs.
        return []
    lines += summary.get("targetsSkipped", [])
    # Headroom for the part numbers, which are only known after the split.
    chunks = list(
        pack_under_limit(lines, lambda chunk: len(_document(summary, chunk, 99, 99).encode()) <= limit - 512)
    )
    return [
        SnsMessage(
            subject=_subject(summary, part, len(chunks)), message=_document(summary, chunk, part, len(chunks))
        )
        for part, chunk in enumerate(chunks, start=1)
    ]
