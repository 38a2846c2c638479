"""The only module that lists or deletes objects in customers' S3 buckets: a job's saved outputs.

Where a job's outputs are, and which keys are its own, is decided by janitor.outputs.locations (pure);
this module counts and deletes what lies under one such location, a listing page at a time:
each page of up to 1,000 keys (S3's page size, and the most one DeleteObjects takes) goes in one
DeleteObjects call, so 2,500 objects take 3 calls. Every key sent is checked against the
location once more, so whatever a listing returns, nothing outside the job's prefix is deleted.

Every call names the bucket's owner (`ExpectedBucketOwner`: the target account's id), so a
bucket of the same name in another account answers 403 AccessDenied and is never touched; a
store with no owner makes no call at all. Every call is bounded by a deadline as Bedrock's are
(janitor.core.deadline): no attempt starts after it, and no call is waited for past it.

With `all_versions`, every version and delete marker under the prefix is deleted by version id,
which removes the objects for good in a versioned bucket. Without it, keys are deleted plainly:
in a versioned bucket that adds a delete marker and keeps the versions, as any plain delete does;
such objects are counted as `noncurrent`, not as deleted.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.sdk import client_config
from janitor.aws.worker_clients import call_error
from janitor.core.deadline import NO_DEADLINE, CallDeadlines, Deadline, DeadlineExceededError, call_by
from janitor.outputs.locations import OutputLocation, is_own_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

#: Keys a listing page holds and one DeleteObjects call takes (S3's limit for both).
PAGE_SIZE = 1000
#: The code a removal cut short by its deadline reports.
DEADLINE_CODE = "DeadlineExceeded"

Page = TypeVar("Page")
T = TypeVar("T")


def create_s3_client(session: boto3.session.Session, max_concurrency: int) -> S3Client:
    """Every S3 client of the janitor's: the deleted jobs' outputs, and an organization run's results."""
    # No endpoint here: AWS_ENDPOINT_URL_S3 redirects the client when it is set.
    return session.client("s3", config=client_config(max_concurrency))


@dataclass
class OutputCount:
    objects: int = 0
    bytes: int = 0


@dataclass
class OutputRemoval:
    deleted: OutputCount = field(default_factory=OutputCount)
    #: Plain deletes that left a delete marker (a versioned bucket): every version is still stored.
    noncurrent: OutputCount = field(default_factory=OutputCount)
    #: (key, code, message) of every key S3 refused to delete, as its DeleteObjects answer said.
    failed_keys: list[tuple[str, str, str]] = field(default_factory=list)
    delete_calls: int = 0
    #: Entries listed so far (deleted, hidden, refused or not yet sent).
    listed: int = 0
    #: Why the removal stopped before the end of the listing ("code: message"); None: it did not.
    stopped: str | None = None

    @property
    def unsent(self) -> int:
        """Listed entries neither deleted nor refused: the removal stopped before (or while) sending them."""
        return self.listed - self.deleted.objects - self.noncurrent.objects - len(self.failed_keys)


class OutputStoreError(Exception):
    """A listing or a whole DeleteObjects call failed, after botocore's own retries."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _store_error(error: ClientError | BotoCoreError) -> OutputStoreError:
    failure = call_error(error)
    return OutputStoreError(failure.code, failure.message)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One listed object, or with all_versions one version or delete marker."""

    key: str
    version_id: str | None
    size: int

    def identifier(self) -> ObjectIdentifierTypeDef:
        if self.version_id is None:
            return {"Key": self.key}
        return {"Key": self.key, "VersionId": self.version_id}


def _one_page_ahead(pages: Iterator[Page]) -> Iterator[Page]:
    """Each page, yielded only once the page after it has been listed.

    A listing continues from the last entry of the page before (list_object_versions' key and
    version-id markers), so deleting a page before the next is listed would delete the marker.
    AWS documents a marker only as where the next page starts; moto looks for the marker's own
    version and, not finding it, lists nothing more. Listing one page ahead, the marker still
    exists whenever it is used, whatever the service makes of a missing one, for the cost of
    holding two pages.
    """
    current = next(pages, None)
    while current is not None:
        following = next(pages, None)
        yield current
        current = following


class _SharedClient:
    """One client per session, made on first use and shared by all threads and every owner's view
    (boto3 clients are thread-safe, unlike the sessions that make them)."""

    def __init__(self, factory: Callable[[], S3Client]) -> None:
        self._factory = factory
        self._client: S3Client | None = None
        self._lock = threading.Lock()
        self.deadlines = CallDeadlines()

    def get(self) -> S3Client:
        with self._lock:
            if self._client is None:
                self._client = self._factory()
                self.deadlines.attach(self._client)
            return self._client


class S3Outputs:
    """Counts and removes job outputs in buckets owned by `bucket_owner` (an account id)."""

    def __init__(
        self,
        client_factory: Callable[[], S3Client],
        all_versions: bool,
        bucket_owner: str | None = None,
        *,
        _shared: _SharedClient | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._shared = _shared or _SharedClient(client_factory)
        self.all_versions = all_versions
        #: None until the target is known (janitor.run.target_sessions): then no call is made.
        self.bucket_owner = bucket_owner

    def owned_by(self, account_id: str) -> S3Outputs:
        """The same store (and client) for buckets owned by `account_id` only."""
        return S3Outputs(self._client_factory, self.all_versions, account_id, _shared=self._shared)

    def probe(self, location: OutputLocation, deadline: Deadline = NO_DEADLINE) -> None:
        """One ListObjectsV2 of at most one key under the location: OutputStoreError if refused."""
        owner = self._owner()
        self._call(
            deadline,
            lambda s3: s3.list_objects_v2(
                Bucket=location.bucket, Prefix=location.prefix, MaxKeys=1, ExpectedBucketOwner=owner
            ),
        )

    def count(self, location: OutputLocation, deadline: Deadline = NO_DEADLINE) -> OutputCount:
        """Objects and bytes under the location (with all_versions: every version and delete
        marker, each one object; delete markers have no bytes)."""
        total = OutputCount()
        for page in self._pages(location, deadline):
            for entry in page:
                total.objects += 1
                total.bytes += entry.size
        return total

    def remove(self, location: OutputLocation, deadline: Deadline = NO_DEADLINE) -> OutputRemoval:
        """Deletes everything under the location, one DeleteObjects call per listing page; a
        failure or the deadline stops it, saying why in `stopped`, with what it did so far."""
        removal = OutputRemoval()

        def listed(pages: Iterator[list[_Entry]]) -> Iterator[list[_Entry]]:
            for page in pages:
                removal.listed += len(page)
                yield page

        try:
            for page in _one_page_ahead(listed(self._pages(location, deadline))):
                if page:
                    self._delete_page(location.bucket, page, removal, deadline)
        except OutputStoreError as error:
            removal.stopped = f"{error.code}: {error.message}"
        except DeadlineExceededError:
            removal.stopped = f"{DEADLINE_CODE}: the run's time ran out before the removal finished"
        return removal

    def _owner(self) -> str:
        if self.bucket_owner is None:
            # Never call S3 without naming the owner: a same-named bucket elsewhere would answer.
            raise OutputStoreError("NoBucketOwner", "the target account is not known; S3 was not called")
        return self.bucket_owner

    def _call(self, deadline: Deadline, request: Callable[[S3Client], T]) -> T:
        """`request` on the shared client: no attempt after the deadline (CallDeadlines), and not
        waited for past it (call_by; a call still out is abandoned, DeadlineExceededError)."""
        if deadline.passed():
            raise DeadlineExceededError("the run's time budget ran out before this S3 call could be made")
        s3 = self._shared.get()

        def attempt() -> T:
            self._shared.deadlines.set(deadline)  # the thread making the call
            return request(s3)

        try:
            if math.isinf(deadline.seconds_left()):
                return attempt()
            return call_by(deadline, attempt)
        except (ClientError, BotoCoreError) as error:
            raise _store_error(error) from error

    def _delete_page(
        self, bucket: str, page: list[_Entry], removal: OutputRemoval, deadline: Deadline
    ) -> None:
        owner = self._owner()
        objects = [entry.identifier() for entry in page]
        # Quiet answers with the refused keys only. Plain deletes ask for every key's answer,
        # which says whether the delete only added a delete marker (a versioned bucket).
        response: Any = self._call(
            deadline,
            lambda s3: s3.delete_objects(
                Bucket=bucket,
                Delete={"Objects": objects, "Quiet": self.all_versions},
                ExpectedBucketOwner=owner,
            ),
        )
        removal.delete_calls += 1
        refusals: dict[tuple[str, str | None], tuple[str, str]] = {}
        for error in response.get("Errors", []):
            refusals[(error.get("Key", ""), error.get("VersionId"))] = (
                error.get("Code", "Unknown"),
                error.get("Message", ""),
            )
        hidden = {
            item.get("Key")
            for item in response.get("Deleted", [])
            if item.get("DeleteMarker") and not item.get("VersionId")
        }
        for entry in page:
            # An error naming the key without a version id refuses every version of it sent.
            refusal = refusals.get((entry.key, entry.version_id)) or refusals.get((entry.key, None))
            if refusal is not None:
                removal.failed_keys.append((entry.key, *refusal))
                continue
            count = (
                removal.noncurrent if entry.version_id is None and entry.key in hidden else removal.deleted
            )
            count.objects += 1
            count.bytes += entry.size

    def _pages(self, location: OutputLocation, deadline: Deadline) -> Iterator[list[_Entry]]:
        """The location's entries a listing page at a time, only keys under its prefix: the
        listing asks for that prefix, and a key outside it, whatever the reason a listing would
        return one, is left out here so it can never be counted or deleted."""
        params: dict[str, Any] = {
            "Bucket": location.bucket,
            "Prefix": location.prefix,
            "MaxKeys": PAGE_SIZE,
            "ExpectedBucketOwner": self._owner(),
        }
        while True:
            page: Any
            if self.all_versions:
                page = self._call(deadline, lambda s3: s3.list_object_versions(**params))
                versions, markers = page.get("Versions", []), page.get("DeleteMarkers", [])
                entries = [_Entry(item["Key"], item["VersionId"], item.get("Size", 0)) for item in versions]
                entries += [_Entry(item["Key"], item["VersionId"], 0) for item in markers]
                following = {
                    "KeyMarker": page.get("NextKeyMarker"),
                    "VersionIdMarker": page.get("NextVersionIdMarker"),
                }
            else:
                page = self._call(deadline, lambda s3: s3.list_objects_v2(**params))
                entries = [
                    _Entry(item["Key"], None, item.get("Size", 0)) for item in page.get("Contents", [])
                ]
                following = {"ContinuationToken": page.get("NextContinuationToken")}
            yield [entry for entry in entries if is_own_key(location, entry.key)]
            if not page.get("IsTruncated"):
                return
            params.update({name: value for name, value in following.items() if value})
