"""S3 faults for moto (in-process or moto server in this process): per-key DeleteObjects refusals,
whole buckets refusing, DeleteObjects calls held, and ExpectedBucketOwner enforced as AWS does.

moto 5.2.5 decides per key in `S3Backend.delete_objects` (the one point every DeleteObjects
request goes through, whatever the route), which returns the keys it deleted and the keys it
refused; its response builder (`S3Response._bucket_response_delete_keys`) then answers every
refused key with Code `AccessDenied` and an object-lock message of its own. So a refusal is
injected in two narrow places: the backend keeps the chosen keys and reports them refused (the
state), and the serialized DeleteObjects answer carries the requested code, with S3's documented
message for it (the wire). Nothing else in moto's S3 is touched, and both are restored on exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.s3.exceptions import S3AccessDeniedError, S3ClientError
from moto.s3.models import S3Backend, s3_backends
from moto.s3.responses import S3Response

#: S3's messages for the error codes a DeleteObjects answer may carry per key (Amazon S3 API
#: reference, "Error responses"); another code gets a message naming it as injected.
_MESSAGES = {
    "AccessDenied": "Access Denied",
    "InternalError": "We encountered an internal error. Please try again.",
    "SlowDown": "Please reduce your request rate.",
    "NoSuchVersion": "The specified version does not exist.",
}


@contextmanager
def delete_objects_refusing(keys: Collection[str], code: str = "AccessDenied") -> Iterator[list[str]]:
    """While open, DeleteObjects refuses every object (every version) of `keys`, in any bucket:
    each comes back in the answer's `Errors` with `code` and is not deleted; the other keys of
    the same call are deleted as usual. Yields the keys refused so far, once per refusal."""
    refused_keys = frozenset(keys)
    refusals: list[str] = []
    lock = threading.Lock()  # moto server answers each request on a thread of its own
    message = _MESSAGES.get(code, f"{code} (injected by localdev.s3_faults)")
    real_delete_objects: Callable[..., tuple[list[Any], list[str]]] = S3Backend.delete_objects
    real_serialized: Callable[..., Any] = S3Response.serialized

    def delete_objects(
        backend: S3Backend, bucket_name: str, objects: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> tuple[list[Any], list[str]]:
        kept = [item["Key"] for item in objects if item["Key"] in refused_keys]
        rest = [item for item in objects if item["Key"] not in refused_keys]
        deleted, errored = (
            real_delete_objects(backend, bucket_name, rest, *args, **kwargs) if rest else ([], [])
        )
        with lock:
            refusals.extend(kept)
        return deleted, [*errored, *kept]

    def serialized(response: S3Response, action_result: Any) -> Any:
        result = getattr(action_result, "result", None)
        if getattr(response, "data", {}).get("Action") == "DeleteObjects" and isinstance(result, dict):
            for error in result.get("Errors", []):
                if error["Key"] in refused_keys:
                    error["Code"], error["Message"] = code, message
        return real_serialized(response, action_result)

    with (
        mock.patch.object(S3Backend, "delete_objects", delete_objects),
        mock.patch.object(S3Response, "serialized", serialized),
    ):
        yield refusals


#: Decides a request's refusal: (request, bucket) -> None, or the error S3 answers with.
Refusal = Callable[[Any, str], S3ClientError | None]


@contextmanager
def _requests_refused(refusal: Refusal) -> Iterator[list[str]]:
    """While open, every S3 request (bucket or object, any operation) that `refusal` refuses is
    answered with its error before moto's own handling; yields the buckets refused, once a request."""
    refused: list[str] = []
    lock = threading.Lock()

    def refusing(real: Callable[..., Any]) -> Callable[..., Any]:
        def respond(response: S3Response, request: Any, full_url: str) -> Any:
            bucket = response.parse_bucket_name_from_url(request, full_url)
            error = refusal(request, bucket) if bucket else None
            if error is not None:
                with lock:
                    refused.append(bucket)
                raise error  # bucket_response/key_response serialize it as S3 would
            return real(response, request, full_url)

        return respond

    with (
        mock.patch.object(S3Response, "_bucket_response", refusing(S3Response._bucket_response)),
        mock.patch.object(S3Response, "_key_response", refusing(S3Response._key_response)),
    ):
        yield refused


@contextmanager
def expected_bucket_owner_enforced() -> Iterator[list[str]]:
    """S3's `ExpectedBucketOwner` as AWS enforces it, which moto 5.2.5 does not.

    AWS: a request whose `x-amz-expected-bucket-owner` header names another account than the
    bucket's owner fails with 403 AccessDenied (S3 user guide, "Verifying bucket ownership with
    bucket owner condition"). moto never reads the header, and by default lets any account use
    any account's bucket (`S3Backend.get_bucket` follows `s3_backends.bucket_accounts`), so a
    same-named bucket of another account would be emptied. While open, such requests are refused
    as AWS refuses them; a request without the header, or to a bucket moto does not know
    (NoSuchBucket, as before), is served as usual. Yields the buckets refused so far.
    """

    def other_owner(request: Any, bucket: str) -> S3ClientError | None:
        expected = request.headers.get("x-amz-expected-bucket-owner")
        owner = s3_backends.bucket_accounts.get(bucket)
        if expected and owner is not None and owner[1] != expected:
            return S3AccessDeniedError()
        return None

    with _requests_refused(other_owner) as refused:
        yield refused


@contextmanager
def bucket_refusing(buckets: Collection[str], code: str = "AccessDenied") -> Iterator[list[str]]:
    """While open, every request to `buckets` fails with 403 `code`, as a bucket policy denying
    the caller, or a Requester Pays bucket asked without `x-amz-request-payer`, answers in S3.
    Yields the buckets refused so far, once a request."""
    refused_buckets = frozenset(buckets)
    message = _MESSAGES.get(code, f"{code} (injected by localdev.s3_faults)")

    def denied(request: Any, bucket: str) -> S3ClientError | None:
        return S3ClientError(code, message) if bucket in refused_buckets else None

    with _requests_refused(denied) as refused:
        yield refused


@contextmanager
def delete_objects_held(max_seconds: float = 60.0) -> Iterator[threading.Event]:
    """While open, every DeleteObjects request waits (up to `max_seconds`) before moto handles it:
    a call that does not answer in time. Leaving the block releases them; they then delete as
    usual, as a request S3 had already received would. Yields the event that releases them."""
    release = threading.Event()
    real_delete_objects: Callable[..., tuple[list[Any], list[str]]] = S3Backend.delete_objects

    def delete_objects(backend: S3Backend, *args: Any, **kwargs: Any) -> tuple[list[Any], list[str]]:
        release.wait(max_seconds)
        return real_delete_objects(backend, *args, **kwargs)

    with mock.patch.object(S3Backend, "delete_objects", delete_objects):
        try:
            yield release
        finally:
            release.set()
