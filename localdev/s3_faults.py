"""S3 faults for moto (in-process or moto server in this process): per-key DeleteObjects refusals.

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

from moto.s3.models import S3Backend
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
