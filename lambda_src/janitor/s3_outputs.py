"""The only module that lists or deletes objects in customers' S3 buckets: a job's saved outputs.

Where a job's outputs are, and which keys are its own, is decided by janitor.job_outputs (pure);
this module counts and deletes what lies under one such location, a listing page at a time:
each page of up to 1,000 keys (S3's page size, and the most one DeleteObjects takes) goes in one
DeleteObjects call, so 2,500 objects take 3 calls. Every key sent is checked against the
location once more, so whatever a listing returns, nothing outside the job's prefix is deleted.

With `all_versions`, every version and delete marker under the prefix is deleted by version id,
which removes the objects for good in a versioned bucket. Without it, keys are deleted plainly:
in a versioned bucket that adds a delete marker and keeps the versions, as any plain delete does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from janitor.job_outputs import OutputLocation, is_own_key
from janitor.sdk import client_config
from janitor.worker_clients import call_error

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

#: Keys a listing page holds and one DeleteObjects call takes (S3's limit for both).
PAGE_SIZE = 1000

Page = TypeVar("Page")


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
    #: (key, code, message) of every key S3 refused to delete, as its DeleteObjects answer said.
    failed_keys: list[tuple[str, str, str]] = field(default_factory=list)
    delete_calls: int = 0


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


class S3Outputs:
    """Counts and removes job outputs; one client, made on first use and shared by all threads
    (boto3 clients are thread-safe, unlike the sessions that make them)."""

    def __init__(self, client_factory: Callable[[], S3Client], all_versions: bool) -> None:
        self._client_factory = client_factory
        self._client: S3Client | None = None
        self._client_lock = threading.Lock()
        self.all_versions = all_versions

    def _s3(self) -> S3Client:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def count(self, location: OutputLocation) -> OutputCount:
        """Objects and bytes under the location (with all_versions: every version and delete
        marker, each one object; delete markers have no bytes)."""
        total = OutputCount()
        try:
            for page in self._pages(location):
                for entry in page:
                    total.objects += 1
                    total.bytes += entry.size
        except (ClientError, BotoCoreError) as error:
            raise _store_error(error) from error
        return total

    def remove(self, location: OutputLocation) -> OutputRemoval:
        """Deletes everything under the location, one DeleteObjects call per listing page."""
        removal = OutputRemoval()
        try:
            for page in _one_page_ahead(self._pages(location)):
                if page:
                    self._delete_page(location.bucket, page, removal)
        except (ClientError, BotoCoreError) as error:
            raise _store_error(error) from error
        return removal

    def _delete_page(self, bucket: str, page: list[_Entry], removal: OutputRemoval) -> None:
        # Quiet: S3 answers with the refused keys only; every other key sent was deleted.
        response = self._s3().delete_objects(
            Bucket=bucket, Delete={"Objects": [entry.identifier() for entry in page], "Quiet": True}
        )
        removal.delete_calls += 1
        refusals: dict[tuple[str, str | None], tuple[str, str]] = {}
        for error in response.get("Errors", []):
            refusals[(error.get("Key", ""), error.get("VersionId"))] = (
                error.get("Code", "Unknown"),
                error.get("Message", ""),
            )
        for entry in page:
            # An error naming the key without a version id refuses every version of it sent.
            refusal = refusals.get((entry.key, entry.version_id)) or refusals.get((entry.key, None))
            if refusal is None:
                removal.deleted.objects += 1
                removal.deleted.bytes += entry.size
            else:
                removal.failed_keys.append((entry.key, *refusal))

    def _pages(self, location: OutputLocation) -> Iterator[list[_Entry]]:
        """The location's entries a listing page at a time, only keys under its prefix: the
        listing asks for that prefix, and a key outside it, whatever the reason a listing would
        return one, is left out here so it can never be counted or deleted."""
        listed = self._version_pages(location) if self.all_versions else self._object_pages(location)
        for entries in listed:
            yield [entry for entry in entries if is_own_key(location, entry.key)]

    def _object_pages(self, location: OutputLocation) -> Iterator[Iterable[_Entry]]:
        paginator = self._s3().get_paginator("list_objects_v2")
        for page in paginator.paginate(
            Bucket=location.bucket, Prefix=location.prefix, PaginationConfig={"PageSize": PAGE_SIZE}
        ):
            yield (_Entry(item["Key"], None, item.get("Size", 0)) for item in page.get("Contents", []))

    def _version_pages(self, location: OutputLocation) -> Iterator[Iterable[_Entry]]:
        paginator = self._s3().get_paginator("list_object_versions")
        for page in paginator.paginate(
            Bucket=location.bucket, Prefix=location.prefix, PaginationConfig={"PageSize": PAGE_SIZE}
        ):
            versions = [
                _Entry(item["Key"], item["VersionId"], item.get("Size", 0))
                for item in page.get("Versions", [])
            ]
            markers = [_Entry(item["Key"], item["VersionId"], 0) for item in page.get("DeleteMarkers", [])]
            yield [*versions, *markers]
