"""Everything a request reads or changes, behind one lock: the jobs, the faults and the counters.

Jobs live per account and Region, as in AWS: each (account, Region) has a `JobStore` of its
own, a store for each other kind (emulator/kinds/), and one tag index all of them report to;
a request sees only its caller's (`for_caller`). Faults, counters, item failures and the
retain-tag Deny are the emulator's, shared by every account.
"""

from __future__ import annotations

import copy
import random
import threading
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from emulator.dialects import dialect
from emulator.faults import FaultConfig
from emulator.iam import RetainTagDeny
from emulator.kinds import BATCH_EVALUATIONS, EVALUATION_JOBS, PROMPT_OPTIMIZATION_JOBS
from emulator.kinds.batch_evaluations import BatchEvaluationStore
from emulator.kinds.prompt_optimization import PromptOptimizationStore
from emulator.kinds.store import ResourceStore
from emulator.store import JobStore
from emulator.tag_index import TagIndex
from emulator.wire import ApiError


@dataclass(frozen=True)
class RegionStores:
    """Every kind's store in one account and Region, and the tag index they share."""

    jobs: JobStore
    prompt_optimization: PromptOptimizationStore
    batch_evaluations: BatchEvaluationStore
    tag_index: TagIndex

    @classmethod
    def create(cls, region: str, account_id: str, seed: int, tag_index_lag: float) -> RegionStores:
        index = TagIndex(tag_index_lag)
        # Each kind draws its ids from a sequence of its own, so evaluation-job ids stay what
        # they were before the other kinds existed.
        return cls(
            jobs=JobStore(region, account_id, seed, tag_index=index),
            prompt_optimization=PromptOptimizationStore(
                region, account_id, seed ^ zlib.crc32(b"prompt-optimization"), tag_index=index
            ),
            batch_evaluations=BatchEvaluationStore(
                region, account_id, seed ^ zlib.crc32(b"batch-evaluations"), tag_index=index
            ),
            tag_index=index,
        )

    def of_kind(self, kind: str) -> ResourceStore[Any]:
        stores: dict[str, ResourceStore[Any]] = {
            EVALUATION_JOBS: self.jobs,
            PROMPT_OPTIMIZATION_JOBS: self.prompt_optimization,
            BATCH_EVALUATIONS: self.batch_evaluations,
        }
        if kind not in stores:
            raise ValueError(f"kind must be one of {tuple(stores)}, got {kind!r}")
        return stores[kind]

    def purge(self) -> None:
        """Every kind's Deleting time that is over: before the tagging API reads the index."""
        self.jobs.purge()
        self.prompt_optimization.purge()
        self.batch_evaluations.purge()

    def owner_of(self, arn: str) -> ResourceStore[Any] | None:
        """The store holding `arn`, of whichever kind."""
        for store in (self.jobs, self.prompt_optimization, self.batch_evaluations):
            if arn in store.resources:
                return store
        return None


class EmulatorState:
    def __init__(
        self,
        region: str,
        account_id: str,
        seed: int,
        deleting_seconds: float,
        faults: FaultConfig,
        tag_index_lag: float = 0.0,
    ) -> None:
        self.lock = threading.Lock()
        self.account_id = account_id
        self.region = region
        self._seed = seed
        self._tag_index_lag = tag_index_lag
        self._stores: dict[tuple[str, str], RegionStores] = {}
        #: The emulator's own account and Region: what unsigned requests and the admin API see.
        self.stores = self.stores_of(account_id, region)
        self.store = self.stores.jobs
        #: How long a job accepted by BatchDeleteEvaluationJob stays listed as Deleting.
        self.deleting_seconds = deleting_seconds
        self.faults = faults
        self.fault_rng = random.Random(faults.seed)
        #: ARN -> (code, message) answered for that item by every BatchDeleteEvaluationJob.
        self.item_failures: dict[str, tuple[str, str]] = {}
        #: Raw JSON entries served at the start of every first list page.
        self.malformed_summaries: list[str] = []
        self.requests: Counter[str] = Counter()
        self.fault_counts: Counter[str] = Counter()
        #: The janitor role's Deny on its retain tag, when enforced (emulator/iam.py).
        self.retain_tag_deny: RetainTagDeny | None = None

    def store_of(self, account_id: str, region: str) -> JobStore:
        """The jobs of `account_id` in `region`, created empty on first use."""
        return self.stores_of(account_id, region).jobs

    def stores_of(self, account_id: str, region: str) -> RegionStores:
        """Every kind's store of `account_id` in `region`, created empty on first use."""
        with self.lock:
            stores = self._stores.get((account_id, region))
            if stores is None:
                # A seed of its own per account and Region: ids differ between accounts, and
                # each account's are the same from run to run.
                seed = self._seed ^ zlib.crc32(f"{account_id}/{region}".encode())
                stores = RegionStores.create(region, account_id, seed, self._tag_index_lag)
                self._stores[(account_id, region)] = stores
            return stores

    def for_caller(self, account_id: str, region: str) -> EmulatorState:
        """This state as one request of `account_id` in `region` sees it: that account's jobs.

        A shallow copy: the lock, counters, faults' random sequence and every other shared part
        are the same objects. It lives for one request; settings are changed on the emulator's
        own state only.
        """
        if (account_id, region) == (self.account_id, self.region):
            return self
        view = copy.copy(self)
        view.stores = self.stores_of(account_id, region)
        view.store = view.stores.jobs
        view.account_id, view.region = account_id, region
        return view

    @property
    def tag_index_lag(self) -> float:
        return self._tag_index_lag

    def set_tag_index_lag(self, seconds: float) -> None:
        """Every account's tag index lags by `seconds` from now on (see emulator.tag_index)."""
        with self.lock:
            self._tag_index_lag = seconds
            for stores in self._stores.values():
                stores.tag_index.lag = seconds

    def set_faults(self, config: FaultConfig) -> None:
        with self.lock:
            self.faults = config
            # A new configuration restarts the seeded sequence, so a test can replay it.
            self.fault_rng = random.Random(config.seed)

    def admit(self, op: str) -> tuple[ApiError | None, float]:
        """Counts a request for `op`; (the injected whole-request error or None, latency to add)."""
        with self.lock:
            self.requests[op] += 1
            faults = self.faults
            error: ApiError | None = None
            if op in faults.denied_operations:
                # IAM's wording for an explicit deny, as the operation's service relays it.
                error = dialect(op).denied(self.account_id, op)
                self.fault_counts[op] += 1
            elif faults.applies_to(op) and (faults.throttle_rate or faults.server_error_rate):
                draw = self.fault_rng.random()
                if draw < faults.throttle_rate:
                    error = dialect(op).throttled()
                elif draw < faults.throttle_rate + faults.server_error_rate:
                    error = dialect(op).server_error()
                if error is not None:
                    self.fault_counts[op] += 1
            return error, faults.latency_seconds if faults.applies_to(op) else 0.0

    def refuse(self, op: str) -> float:
        """Counts a request for `op` refused before it was served (a quota); the latency to add."""
        with self.lock:
            self.requests[op] += 1
            self.fault_counts[op] += 1
            faults = self.faults
        return faults.latency_seconds if faults.applies_to(op) else 0.0

    def item_fails_locked(self, op: str = "BatchDeleteEvaluationJob") -> bool:
        """Whether fault injection fails one item `op` deletes; caller holds the lock."""
        faults = self.faults
        if (
            faults.item_failure_rate > 0
            and faults.applies_to(op)
            and self.fault_rng.random() < faults.item_failure_rate
        ):
            self.fault_counts[op] += 1
            return True
        return False
