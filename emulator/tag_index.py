"""The Resource Groups Tagging API's view of the jobs' tags: an index that learns of changes late.

The tagging API does not read Bedrock's tags when asked; it answers from its own index, which
is eventually consistent. ``lag`` seconds (0 by default) is how long a change takes to reach it.
Bedrock's own operations (ListTagsForResource, and IAM's view for the retain-tag Deny) always
read the job's true tags; only GetResources reads this index.

What counts as a change, and when:
- Tags a job is seeded with (``add_job(tags=...)``, ``/_emulator/jobs``) stand for tags set long
  before the test: the index has them at once, whatever the lag.
- TagResource, UntagResource and CreateEvaluationJob's ``jobTags`` change the index ``lag``
  seconds after the request.
- A job that vanishes (its Deleting time over) leaves the index ``lag`` seconds later too.

GetResources "does not return untagged resources", but "resources that were previously tagged,
but do not currently have tags, are shown with an empty tag set" (GetResources documentation,
TagFilters), so a job enters the index at its first tag and stays, with ``{}`` once untagged.
The caller holds the state's lock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator

#: One version of a resource's tags, from when the index sees it; None once the resource is gone.
_Version = tuple[float, dict[str, str] | None]


class TagIndex:
    def __init__(self, lag: float = 0.0) -> None:
        self.lag = lag
        self._history: dict[str, list[_Version]] = {}
        # The indexed ARNs, sorted: GetResources pages are a cursor on the ARN.
        self._arns: list[str] = []

    @property
    def lag(self) -> float:
        return self._lag

    @lag.setter
    def lag(self, seconds: float) -> None:
        if not seconds >= 0:  # also refuses NaN
            raise ValueError(f"the tag index lag must be >= 0 seconds, got {seconds}")
        self._lag = float(seconds)

    def seed(self, arn: str, tags: dict[str, str]) -> None:
        """Tags that were there long before now: visible at once."""
        if tags:
            self._add(arn)
            self._history[arn] = [(-math.inf, dict(tags))]

    def record(self, arn: str, tags: dict[str, str] | None, now: float) -> None:
        """The resource's tags became `tags` (None: it is gone) at `now`, monotonic seconds."""
        history = self._history.get(arn)
        if history is None:
            if not tags:  # never tagged: nothing for the index to know
                return
            history = self._history[arn] = []
            self._add(arn)
        history.append((now + self._lag, None if tags is None else dict(tags)))
        self._compact(arn, history, now)

    def visible(self, arn: str, now: float) -> dict[str, str] | None:
        """The tags GetResources answers for `arn` at `now`, or None if it does not list it."""
        for seen_at, tags in reversed(self._history.get(arn, ())):
            if seen_at <= now:
                return tags
        return None

    def arns_after(self, cursor: str | None) -> Iterator[str]:
        """Indexed ARNs in order, from the first one after `cursor`."""
        start = 0 if cursor is None else bisect.bisect_right(self._arns, cursor)
        for i in range(start, len(self._arns)):
            yield self._arns[i]

    def _add(self, arn: str) -> None:
        i = bisect.bisect_left(self._arns, arn)
        if i == len(self._arns) or self._arns[i] != arn:
            self._arns.insert(i, arn)

    def _compact(self, arn: str, history: list[_Version], now: float) -> None:
        # Versions before the one visible now can never be seen again: drop them, and drop a
        # resource whose visible version says it is gone and which has no newer one.
        visible = max((i for i, (seen_at, _) in enumerate(history) if seen_at <= now), default=None)
        if visible is None:
            return
        del history[:visible]
        if len(history) == 1 and history[0][1] is None:
            del self._history[arn]
            i = bisect.bisect_left(self._arns, arn)
            del self._arns[i]
