"""Lower bounds on the requests and the time any correct run needs, given the jobs it meets.

With L = jobs created before the retention cutoff (what ListEvaluationJobs returns when asked
with creationTimeBefore), C = old finished jobs (each needs its tags read, retained ones too: the
tag is what tells them apart) and D = C - retained (jobs to delete):

    requests  = ceil(L / 1000) + C + ceil(D / 25)
    latency   = ceil(L / 1000) * t + ceil((C + ceil(D / 25)) / k) * t
                (t = per-request latency, k = the janitor's MAX_CONCURRENCY; list pages are
                sequential, the rest runs k at a time)
    quota     = max(latency bound, max over quota-limited operations of (n_op - b) / r + t)
                (n_op requests of that operation, r its quota in requests/s, b the bucket's burst)

The latency bound, as defined, charges the list pages in full before the lookups; a run that
overlaps listing with lookups (as the janitor does) could come in slightly under it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from benchmarks.dataset import Population

LIST_PAGE_MAX = 1000
BATCH_SIZE = 25


def list_pages(population: Population) -> int:
    # A listing always makes at least one call, even when it comes back empty.
    return max(1, math.ceil(population.old / LIST_PAGE_MAX))


def operation_bounds(population: Population) -> dict[str, int]:
    return {
        "ListEvaluationJobs": list_pages(population),
        "ListTagsForResource": population.candidates,
        "BatchDeleteEvaluationJob": math.ceil(population.deletable / BATCH_SIZE),
    }


def request_bound(population: Population) -> int:
    return sum(operation_bounds(population).values())


def latency_time_bound(population: Population, latency_s: float, concurrency: int) -> float:
    concurrent = population.candidates + math.ceil(population.deletable / BATCH_SIZE)
    return list_pages(population) * latency_s + math.ceil(concurrent / concurrency) * latency_s


def quota_time_bound(
    population: Population,
    latency_s: float,
    concurrency: int,
    quotas: Mapping[str, float],
    burst: float,
) -> float:
    needed = operation_bounds(population)
    quota_limited = [
        max(0.0, needed[op] - burst) / rate + latency_s for op, rate in quotas.items() if op in needed
    ]
    return max([latency_time_bound(population, latency_s, concurrency), *quota_limited])
