"""Everything a request reads or changes, behind one lock: the jobs, the faults and the counters."""

from __future__ import annotations

import random
import threading
from collections import Counter

from emulator.dialects import dialect
from emulator.faults import FaultConfig
from emulator.iam import RetainTagDeny
from emulator.store import JobStore
from emulator.wire import ApiError


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
        self.store = JobStore(region, account_id, seed, tag_index_lag)
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

    def item_fails_locked(self) -> bool:
        """Whether fault injection fails one BatchDeleteEvaluationJob item; caller holds the lock."""
        faults = self.faults
        if (
            faults.item_failure_rate > 0
            and faults.applies_to("BatchDeleteEvaluationJob")
            and self.fault_rng.random() < faults.item_failure_rate
        ):
            self.fault_counts["BatchDeleteEvaluationJob"] += 1
            return True
        return False
