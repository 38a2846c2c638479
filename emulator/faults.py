"""Which faults the emulator injects: a frozen, validated configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from emulator.contract import ALL_OPERATIONS


@dataclass(frozen=True)
class FaultConfig:
    """Faults injected into requests, decided by ``random.Random(seed)``.

    Operations are named as in `request_counts()`: Bedrock's and the tagging API's GetResources
    (emulator.contract.ALL_OPERATIONS). Each fault takes the form of the operation's own service
    (emulator/dialects.py): GetResources is throttled with ThrottledException, not ThrottlingException.
    """

    latency_seconds: float = 0.0
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    item_failure_rate: float = 0.0
    operations: frozenset[str] | None = None
    seed: int = 0
    #: Operations IAM refuses outright (a missing Allow, an SCP's explicit deny): every request
    #: is answered AccessDeniedException (403 from Bedrock, 400 from the tagging API), whatever
    #: `operations` says.
    denied_operations: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "server_error_rate", "item_failure_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {rate}")
        if self.throttle_rate + self.server_error_rate > 1.0:
            raise ValueError("throttle_rate + server_error_rate must not exceed 1")
        if self.latency_seconds < 0:
            raise ValueError("latency_seconds must not be negative")
        if self.operations is not None:
            ops = frozenset(self.operations)
            unknown = ops - set(ALL_OPERATIONS)
            if unknown:
                raise ValueError(f"unknown operations: {sorted(unknown)}")
            object.__setattr__(self, "operations", ops)
        denied = frozenset(self.denied_operations)
        if denied - set(ALL_OPERATIONS):
            raise ValueError(f"unknown operations: {sorted(denied - set(ALL_OPERATIONS))}")
        object.__setattr__(self, "denied_operations", denied)

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        kwargs = dict(data)
        ops = kwargs.get("operations")
        if ops is not None:
            if isinstance(ops, str):
                ops = [o for o in ops.split(",") if o]
            kwargs["operations"] = frozenset(ops)
        denied = kwargs.get("denied_operations")
        if isinstance(denied, str):
            kwargs["denied_operations"] = frozenset(o for o in denied.split(",") if o)
        elif denied is not None:
            kwargs["denied_operations"] = frozenset(denied)
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = None if self.operations is None else sorted(self.operations)
        data["denied_operations"] = sorted(self.denied_operations)
        return data
