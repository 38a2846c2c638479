"""The store every kind's resources live in, and the one decision on deleting one of them.

`ResourceStore` indexes a kind's resources by ARN, id, name and client token, keeps their list
order for paging, lets a deleted one linger in its Deleting status before it leaves, and tells
the tagging API's index (emulator/tag_index.py) of every tag change, arrival and departure.
emulator/store.py's JobStore (evaluation jobs) and the new kinds build on it. The caller holds
the state's lock.
"""

from __future__ import annotations

import bisect
import heapq
import random
import re
import string
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from emulator.item_errors import INJECTED, NOT_FOUND, ItemError
from emulator.tag_index import TagIndex
from emulator.wire import ApiError, now_us

if TYPE_CHECKING:
    from emulator.state import EmulatorState

ID_ALPHABET = string.ascii_lowercase + string.digits

#: One operation of a kind: (state, decoded path label or None, query string, body) -> JSON body.
KindHandler = Callable[["EmulatorState", str | None, str, bytes], str]


class StatusChanges:
    """A resource's status change, one way for every kind: its modified time moves on and the
    list summary it caches is made again. Mixed into each kind's resource dataclass."""

    status: str
    created_us: int
    modified_us: int
    _summary: str | None

    def set_status(self, status: str) -> None:
        self.status = status
        self.modified_us = max(now_us(), self.created_us)
        self._summary = None


class Stored(Protocol):
    """What the store needs of a resource: an evaluation job, a prompt optimization job, ..."""

    arn: str
    name: str
    status: str
    tags: dict[str, str]
    created_us: int

    @property
    def ident(self) -> str: ...

    @property
    def key(self) -> tuple[int, str]:
        """Its place in list order: (creationTime µs, ARN), or another int for another order."""
        ...

    def set_status(self, status: str) -> None: ...

    def summary_json(self) -> str: ...


R = TypeVar("R", bound=Stored)


class ResourceStore(Generic[R]):
    """One kind's resources in one account and Region."""

    #: "Evaluation job": how ResourceNotFoundException names the kind.
    noun: ClassVar[str] = "Resource"
    #: The status a deleted resource lingers in before it leaves the store.
    deleting_status: ClassVar[str] = "Deleting"
    #: The statuses a delete accepts.
    finished_statuses: ClassVar[frozenset[str]] = frozenset()
    #: A bare id (not an ARN) that `find` looks up by id.
    id_re: ClassVar[re.Pattern[str]] = re.compile(r"[a-z0-9]{12}")

    def __init__(
        self,
        region: str,
        account_id: str,
        seed: int,
        tag_index_lag: float = 0.0,
        *,
        tag_index: TagIndex | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.resources: dict[str, R] = {}
        self._id_rng = random.Random(seed)
        self._used_ids: set[str] = set()
        self._arn_by_id: dict[str, str] = {}
        self._arn_by_name: dict[str, str] = {}
        self._arn_by_token: dict[str, str] = {}
        # Resource keys, sorted: list pages bisect instead of sorting every resource.
        self._keys: list[tuple[int, str]] = []
        self._deleting: list[tuple[float, str]] = []  # heap of (monotonic deadline, ARN)
        #: The tagging API's view of this account and Region's tags, shared by all its kinds.
        self.tag_index = tag_index if tag_index is not None else TagIndex(tag_index_lag)

    def new_id(self, alphabet: str = ID_ALPHABET, length: int = 12) -> str:
        """`length` characters of `alphabet`; seeded, never reused."""
        while True:
            new = "".join(self._id_rng.choices(alphabet, k=length))
            if new not in self._used_ids:
                self._used_ids.add(new)
                return new

    def rank(self) -> int:
        """A seeded random int, for kinds listed in an order unrelated to creation."""
        return self._id_rng.getrandbits(48)

    def name_taken(self, name: str) -> bool:
        return name in self._arn_by_name

    def arn_for_token(self, token: str) -> str | None:
        arn = self._arn_by_token.get(token)
        return arn if arn in self.resources else None

    def remember_token(self, token: str, arn: str) -> None:
        self._arn_by_token[token] = arn

    def insert(self, resource: R, *, seeded: bool) -> None:
        """Adds `resource`; seeded tags are as old as the account, a created resource's are new."""
        self.resources[resource.arn] = resource
        self._arn_by_id[resource.ident] = resource.arn
        self._arn_by_name.setdefault(resource.name, resource.arn)
        bisect.insort(self._keys, resource.key)
        if seeded:
            self.tag_index.seed(resource.arn, resource.tags)
        else:
            self.tag_index.record(resource.arn, resource.tags, time.monotonic())

    def set_tags(self, resource: R, tags: dict[str, str]) -> None:
        """`resource`'s tags become `tags` now (TagResource, UntagResource)."""
        if tags != resource.tags:
            resource.tags = tags
            self.tag_index.record(resource.arn, tags, time.monotonic())

    def remove(self, resource: R, at: float | None = None) -> None:
        """Removes `resource` (at monotonic time `at`, default now)."""
        if self.resources.pop(resource.arn, None) is None:
            return
        self._arn_by_id.pop(resource.ident, None)
        if self._arn_by_name.get(resource.name) == resource.arn:
            del self._arn_by_name[resource.name]
        i = bisect.bisect_left(self._keys, resource.key)
        if i < len(self._keys) and self._keys[i] == resource.key:
            del self._keys[i]
        self.tag_index.record(resource.arn, None, time.monotonic() if at is None else at)

    def remove_after(self, resource: R, seconds: float) -> None:
        """`resource` (now Deleting) leaves the store `seconds` from now, or at once for 0."""
        if seconds > 0:
            heapq.heappush(self._deleting, (time.monotonic() + seconds, resource.arn))
        else:
            self.remove(resource)

    def purge(self) -> None:
        """Removes the resources whose Deleting time is over; every read calls it first."""
        now = time.monotonic()
        while self._deleting and self._deleting[0][0] <= now:
            deadline, arn = heapq.heappop(self._deleting)
            resource = self.resources.get(arn)
            if resource is not None and resource.status == self.deleting_status:
                self.remove(resource, at=deadline)

    def find(self, identifier: str) -> R | None:
        """By ARN, or by bare id."""
        resource = self.resources.get(identifier)
        if resource is None and self.id_re.fullmatch(identifier):
            arn = self._arn_by_id.get(identifier)
            resource = self.resources.get(arn) if arn else None
        return resource

    def existing(self, identifier: str) -> R:
        self.purge()
        resource = self.find(identifier)
        if resource is None:
            raise ApiError("ResourceNotFoundException", f"{self.noun} {identifier} not found.")
        return resource

    def arns(self, status: str | None = None) -> list[str]:
        """ARNs in key order (oldest first for kinds keyed on creation), optionally in ``status``."""
        return [a for _, a in self._keys if status is None or self.resources[a].status == status]

    def page(
        self,
        *,
        cursor: tuple[int, str] | None,
        descending: bool,
        max_results: int,
        after_us: int | None = None,
        before_us: int | None = None,
        matches: Callable[[R], bool] | None = None,
    ) -> tuple[list[str], tuple[int, str] | None, bool]:
        """(summaries, key of the last one, whether more match) for one list page.

        `after_us` and `before_us` bound the first member of the key (creationTime µs)."""
        keys = self._keys
        lo = 0 if after_us is None else bisect.bisect_left(keys, (after_us + 1, ""))
        hi = len(keys) if before_us is None else bisect.bisect_left(keys, (before_us, ""))
        if cursor is not None:
            if descending:
                hi = min(hi, bisect.bisect_left(keys, cursor))
            else:
                lo = max(lo, bisect.bisect_right(keys, cursor))
        indices = range(hi - 1, lo - 1, -1) if descending else range(lo, hi)
        page: list[str] = []
        last: tuple[int, str] | None = None
        for i in indices:
            resource = self.resources[keys[i][1]]
            if matches is None or matches(resource):
                # One match past a full page proves there is a next page, so the last page
                # never carries a token.
                if len(page) == max_results:
                    return page, last, True
                page.append(resource.summary_json())
                last = keys[i]
        return page, last, False


def delete_locked(
    state: EmulatorState,
    store: ResourceStore[Any],
    identifier: str,
    op: str,
    not_finished: ItemError,
    finished_words: str,
) -> dict[str, str] | None:
    """The per-item error entry ``{jobIdentifier, code, message}`` for deleting `identifier`
    (an ARN or id) through `op`, or None once it is (or already was) Deleting.

    Every kind's delete decides the same way, in this order: an item failure forced by
    ``fail_item``; not found; already Deleting (accepted again, its removal time unchanged, so
    one seeded as Deleting stays, stuck); not finished; an injected item failure; accepted.
    """
    resource = store.find(identifier)
    forced = state.item_failures.get(resource.arn if resource is not None else identifier)
    if forced is not None:
        state.fault_counts[op] += 1
        return {"jobIdentifier": identifier, "code": forced[0], "message": forced[1]}
    if resource is None:
        return NOT_FOUND.entry(identifier)
    if resource.status == store.deleting_status:
        return None
    if resource.status not in store.finished_statuses:
        return not_finished.entry(identifier, resource.status, finished=finished_words)
    if state.item_fails_locked(op):
        return INJECTED.entry(identifier)
    resource.set_status(store.deleting_status)
    store.remove_after(resource, state.deleting_seconds)
    return None
