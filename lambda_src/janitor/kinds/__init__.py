"""The kinds of leftover the janitor cleans, one module each, registered here."""

from __future__ import annotations

from janitor.core.kind import Kind
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

KINDS: dict[str, Kind] = {kind.name: kind for kind in (EVALUATION_JOBS,)}
