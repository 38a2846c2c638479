"""The only module that talks to S3: an organization run's targets, per-target results and summary.

One run's objects live under `runs/<run id>/` in the stack's results bucket:

- `targets.json`: every target of the run, a JSON array the state machine's Distributed Map
  reads its items from (an S3 item source holds 5,000 targets; a state's 256 KiB payload does not);
- `results/<account>-<region>.json`: each target's summary, written by the janitor itself, or
  the failure the state machine recorded for a target that failed as a whole;
- `summary.json`: the organization-wide summary, written by the gathering step.

Results travel through S3 rather than the Map's output so that their size does not depend on the
number of targets: the state machine passes only keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from janitor.config.overrides import Target

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: Result objects read at once by the gathering step (5,000 targets: 5,000 GETs).
READ_CONCURRENCY = 16
#: Items of each list a target's reply keeps as examples; all of them are in its result object.
REPLY_EXAMPLES = 5
#: A text field of a reply (an error message) is cut to this many characters.
REPLY_TEXT_LIMIT = 2000


def bounded_reply(result: Mapping[str, Any]) -> dict[str, Any]:
    """A run's summary in a size that does not grow with its jobs: each list becomes its count
    and its first REPLY_EXAMPLES items, each text its first REPLY_TEXT_LIMIT characters.

    What a target returns to the state machine, whose states take 256 KiB at most: more raises
    States.DataLimitExceeded, which no Catch catches, failing the whole run. Also what the run's
    summary log line and its error carry. `failedJobs` is counted by `failed` already.
    """
    reply: dict[str, Any] = {}
    for key, value in result.items():
        if key == "failedJobs":
            continue
        if isinstance(value, list):
            reply[key] = [_bounded(item) for item in value[:REPLY_EXAMPLES]]
            reply[f"{key}Count"] = len(value)
        else:
            reply[key] = _bounded(value)
    return reply


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value[:REPLY_TEXT_LIMIT]
    if isinstance(value, Mapping):
        return {key: _bounded(item) for key, item in value.items()}
    return value


def run_prefix(run_id: str) -> str:
    return f"runs/{run_id}/"


def targets_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}targets.json"


def result_key(run_id: str, target: Target) -> str:
    # The state machine's failure record uses the same key (infra/organization_run.py).
    return f"{run_prefix(run_id)}results/{target.account_id}-{target.region}.json"


def summary_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}summary.json"


class RunResults:
    def __init__(self, client_factory: Callable[[], S3Client], bucket: str) -> None:
        self._client_factory = client_factory
        self._client: S3Client | None = None
        self.bucket = bucket

    @property
    def _s3(self) -> S3Client:
        self._client = self._client or self._client_factory()
        return self._client

    def _put_json(self, key: str, document: Any, *, if_absent: bool = False) -> None:
        body = json.dumps(document, separators=(",", ":")).encode()
        if if_absent:
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType="application/json", IfNoneMatch="*"
            )
        else:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")

    def _get_json(self, key: str) -> Any:
        return json.loads(self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def put_targets(self, run_id: str, targets: Sequence[Target]) -> str:
        key = targets_key(run_id)
        self._put_json(key, [target.model_dump(by_alias=True) for target in targets])
        return key

    def targets(self, run_id: str) -> list[Target]:
        return [Target.model_validate(item) for item in self._get_json(targets_key(run_id))]

    def put_result(self, run_id: str, target: Target, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Record a target's result, unless one is recorded already: then that one, unchanged.

        Only the first write lands (If-None-Match: *), so a target run again (the state
        machine's retry of an invocation whose answer was lost) never replaces what the first
        run did with its `alreadyGone` counts.
        """
        key = result_key(run_id, target)
        try:
            self._put_json(key, summary, if_absent=True)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "PreconditionFailed":
                raise
            recorded: dict[str, Any] = self._get_json(key)
            return recorded
        return dict(summary)

    def recorded_result(self, run_id: str, target: Target) -> dict[str, Any] | None:
        """The result already recorded for `target` in this run, or None."""
        try:
            recorded: dict[str, Any] = self._get_json(result_key(run_id, target))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                raise
            return None
        return recorded

    def results(self, run_id: str) -> list[dict[str, Any]]:
        """Every result recorded under the run, in no particular order."""
        keys = [
            item["Key"]
            for page in self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{run_prefix(run_id)}results/"
            )
            for item in page.get("Contents", [])
        ]
        with ThreadPoolExecutor(READ_CONCURRENCY) as pool:
            return list(pool.map(self._get_json, keys))

    def put_summary(self, run_id: str, summary: Mapping[str, Any]) -> str:
        key = summary_key(run_id)
        self._put_json(key, summary)
        return key


def _target_of(result: Mapping[str, Any]) -> tuple[str, str]:
    target = result.get("target") or {}
    return str(target.get("accountId")), str(target.get("region"))


def planned_results(
    targets: Sequence[Target], results: Iterable[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Target]]:
    """(the results of planned targets, the planned targets with no result at all).

    A result for a target the run did not plan (a console invoke naming the run) is left out;
    a planned target without one (its run ended without writing one, e.g. a Map child that
    failed in a way no Catch handles) is reported as failed.
    """
    planned = {(target.account_id, target.region) for target in targets}
    kept = [result for result in results if _target_of(result) in planned]
    recorded = {_target_of(result) for result in kept}
    return kept, [target for target in targets if (target.account_id, target.region) not in recorded]
