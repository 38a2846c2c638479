"""Lower bounds on the requests and the time any correct run needs, given the jobs it meets.

With L = jobs created before the retention cutoff (what ListEvaluationJobs returns when asked
with creationTimeBefore), C = old finished jobs (each needs its tags read, retained ones too: the
tag is what tells them apart) and D = C - retained (jobs to delete), a run that reads tags with
the Resource Groups Tagging API's GetResources (up to 100 ARNs a call: TAG_LOOKUP=batched) needs

    requests  = ceil(L / 1000) + ceil(C / 100) + ceil(D / 25)

and one that reads them with Bedrock's ListTagsForResource (one job a call: TAG_LOOKUP=perJob)

    requests  = ceil(L / 1000) + C + ceil(D / 25)

With T = the tag lookups of the mode (ceil(C / 100) or C), both need at least

    latency   = ceil(L / 1000) * t + ceil((T + ceil(D / 25)) / k) * t
                (t = per-request latency, k = the janitor's MAX_CONCURRENCY; list pages are
                sequential, the rest runs k at a time)
    quota     = max(latency bound, max over quota-limited operations of (n_op - b) / r + t)
                (n_op requests of that operation, r its quota in requests/s, b the bucket's burst)

The operation that gives the quota bound its value is the binding quota (none when the latency
bound is the larger). The latency bound, as defined, charges the list pages in full before the
lookups; a run that overlaps listing with lookups (as the janitor does) could come in slightly
under it. Neither bound counts a program's own start-up (imports, clients), which its measured
wall time includes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

from benchmarks.dataset import Population

TagLookup = Literal["batched", "perJob"]

LIST_PAGE_MAX = 1000
#: GetResources takes at most 100 ARNs in its ResourceARNList.
TAG_BATCH_MAX = 100
BATCH_SIZE = 25
#: The operation each mode reads tags with, named as in the emulator's request counts.
TAG_OPERATION: dict[TagLookup, str] = {"batched": "GetResources", "perJob": "ListTagsForResource"}


def list_pages(population: Population) -> int:
    # A listing always makes at least one call, even when it comes back empty.
    return max(1, math.ceil(population.old / LIST_PAGE_MAX))


def tag_lookups(population: Population, mode: TagLookup) -> int:
    if mode == "batched":
        return math.ceil(population.candidates / TAG_BATCH_MAX)
    return population.candidates


def operation_bounds(population: Population, mode: TagLookup) -> dict[str, int]:
    return {
        "ListEvaluationJobs": list_pages(population),
        TAG_OPERATION[mode]: tag_lookups(population, mode),
        "BatchDeleteEvaluationJob": math.ceil(population.deletable / BATCH_SIZE),
    }


def request_bound(population: Population, mode: TagLookup) -> int:
    return sum(operation_bounds(population, mode).values())


def latency_time_bound(population: Population, mode: TagLookup, latency_s: float, concurrency: int) -> float:
    concurrent = tag_lookups(population, mode) + math.ceil(population.deletable / BATCH_SIZE)
    return list_pages(population) * latency_s + math.ceil(concurrent / concurrency) * latency_s


def _quota_limited(
    population: Population, mode: TagLookup, latency_s: float, quotas: Mapping[str, float], burst: float
) -> dict[str, float]:
    """Operation -> the least time its quota lets its requests through in."""
    needed = operation_bounds(population, mode)
    return {
        op: max(0.0, needed[op] - burst) / rate + latency_s for op, rate in quotas.items() if op in needed
    }


def quota_time_bound(
    population: Population,
    mode: TagLookup,
    latency_s: float,
    concurrency: int,
    quotas: Mapping[str, float],
    burst: float,
) -> float:
    limited = _quota_limited(population, mode, latency_s, quotas, burst)
    return max([latency_time_bound(population, mode, latency_s, concurrency), *limited.values()])


def binding_quota(
    population: Population,
    mode: TagLookup,
    latency_s: float,
    concurrency: int,
    quotas: Mapping[str, float],
    burst: float,
) -> str | None:
    """The quota-limited operation that sets the quota bound; None if the latency bound does."""
    limited = _quota_limited(population, mode, latency_s, quotas, burst)
    if not limited:
        return None
    op = max(limited, key=lambda name: limited[name])
    return op if limited[op] > latency_time_bound(population, mode, latency_s, concurrency) else None
