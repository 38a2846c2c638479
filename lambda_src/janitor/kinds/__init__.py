"""The kinds of leftover the janitor cleans, one module each, registered here (in the order a
run cleans them)."""

from __future__ import annotations

from janitor.core.kind import Kind
from janitor.kinds.batch_evaluations import BATCH_EVALUATIONS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.kinds.prompt_optimization_jobs import PROMPT_OPTIMIZATION_JOBS

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (EVALUATION_JOBS, PROMPT_OPTIMIZATION_JOBS, BATCH_EVALUATIONS)
}
DEFAULT_KINDS = frozenset({EVALUATION_JOBS.name})
