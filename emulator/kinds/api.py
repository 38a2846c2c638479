"""BedrockEmulator's Python API for the other kinds: seeding them and reading what is left.

A mixin, so emulator/server.py keeps the evaluation jobs' API and the HTTP plumbing only.
Like ``add_job``, seeding counts no request and acts in the emulator's own account and Region
unless ``account_id`` or ``region`` say otherwise; seeded tags count as set long ago (the
tagging API sees them at once, whatever ``tag_index_lag_seconds`` says).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from emulator.kinds import batch_evaluations, prompt_optimization
from emulator.kinds.contract import KIND_OPERATIONS
from emulator.kinds.store import KindHandler
from emulator.wire import now_us, to_us

if TYPE_CHECKING:
    from emulator.state import EmulatorState, RegionStores

#: Operation -> its function, for every operation of the other kinds.
KIND_HANDLERS: dict[str, KindHandler] = {**prompt_optimization.HANDLERS, **batch_evaluations.HANDLERS}
assert set(KIND_HANDLERS) == set(KIND_OPERATIONS)


class KindsApi:
    """The seeding and inspection methods of the other kinds, mixed into BedrockEmulator."""

    _state: EmulatorState
    account_id: str
    region: str

    def _stores(self, account_id: str | None, region: str | None) -> RegionStores:
        return self._state.stores_of(account_id or self.account_id, region or self.region)

    def add_prompt_optimization_job(
        self,
        name: str | None = None,
        status: str = "Completed",
        creation_time: datetime | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> str:
        """Seeds an advanced prompt optimization job directly and returns its ARN. One seeded
        as Deleting stays Deleting (a stuck delete)."""
        store = self._stores(account_id, region).prompt_optimization
        created = to_us(creation_time) if creation_time is not None else now_us()
        with self._state.lock:
            return prompt_optimization.seed(store, name, status, created, tags)

    def add_batch_evaluation(
        self,
        name: str | None = None,
        status: str = "COMPLETED",
        creation_time: datetime | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> str:
        """Seeds an AgentCore batch evaluation directly and returns its ARN (its id is
        ``<name>-<10 random letters and digits>``). One seeded as DELETING stays DELETING."""
        store = self._stores(account_id, region).batch_evaluations
        created = to_us(creation_time) if creation_time is not None else now_us()
        with self._state.lock:
            return batch_evaluations.seed(store, name, status, created, tags)

    def leftover_arns(
        self,
        kind: str,
        status: str | None = None,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> list[str]:
        """ARNs of `kind` ("evaluationJobs", "promptOptimizationJobs", "batchEvaluations") oldest
        first, Deleting ones included, optionally only those in ``status``."""
        store = self._stores(account_id, region).of_kind(kind)
        with self._state.lock:
            store.purge()
            return store.arns(status)

    def surviving_arns(
        self, kind: str, *, account_id: str | None = None, region: str | None = None
    ) -> list[str]:
        """ARNs of `kind` oldest first that nobody has deleted: those not Deleting (DELETING)."""
        store = self._stores(account_id, region).of_kind(kind)
        with self._state.lock:
            store.purge()
            return [a for a in store.arns() if store.resources[a].status != store.deleting_status]
