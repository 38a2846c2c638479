"""S3Outputs' bounds, against moto server's S3 over HTTP: every call names the bucket's owner (a
same-named bucket of another account is never touched, a store that does not know the owner
makes no call), no call is made or waited for past the deadline, and the probe asks for one key."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from moto.s3.models import s3_backends

from janitor.core.deadline import Deadline, DeadlineExceededError
from janitor.outputs.s3 import OutputCount, OutputStoreError, S3Outputs
from localdev.s3_faults import delete_objects_held, expected_bucket_owner_enforced
from localdev.services import ACCOUNT_ID, LocalAws
from tests.integration.s3_output_support import BUCKET, FILES, Bucket, locate

# -- the bucket's owner ---------------------------------------------------------------------------

OTHER_ACCOUNT = "999999999999"


def test_every_call_names_the_target_account_as_the_buckets_owner(local: LocalAws) -> None:
    bucket = Bucket(local, versioned=True)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])
    sent: list[tuple[str, bytes | None]] = []

    def recorder(operation: str) -> Callable[..., None]:
        def record(request: Any, **_: Any) -> None:
            sent.append((operation, request.headers.get("x-amz-expected-bucket-owner")))

        return record

    def outputs(all_versions: bool) -> S3Outputs:
        operations = ("ListObjectsV2", "ListObjectVersions", "DeleteObjects")
        hooks = {f"before-send.s3.{operation}": recorder(operation) for operation in operations}
        return bucket.outputs(all_versions, hooks=hooks)

    outputs(False).probe(job)
    outputs(False).count(job)
    outputs(False).remove(job)
    outputs(True).count(job)
    outputs(True).remove(job)

    assert {name for name, _ in sent} == {"ListObjectsV2", "DeleteObjects", "ListObjectVersions"}
    assert {owner for _, owner in sent} == {ACCOUNT_ID.encode()}


def test_a_same_named_bucket_of_another_account_is_never_touched(local: LocalAws) -> None:
    # The name is taken by another account (the team's bucket deleted, the name claimed again).
    s3_backends[OTHER_ACCOUNT]["aws"].create_bucket(BUCKET, "us-east-1")
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    theirs = {f"{job.prefix}{file}" for file in FILES}
    for key in theirs:
        s3_backends[OTHER_ACCOUNT]["aws"].put_object(BUCKET, key, b"theirs")
    outputs = S3Outputs(lambda: local.client("s3"), all_versions=False, bucket_owner=ACCOUNT_ID)

    with expected_bucket_owner_enforced() as refused:
        with pytest.raises(OutputStoreError) as probed:
            outputs.probe(job)
        removal = outputs.remove(job)

    assert (probed.value.code, probed.value.message) == ("AccessDenied", "Access Denied")
    assert removal.stopped == "AccessDenied: Access Denied"
    assert refused == [BUCKET, BUCKET]
    assert set(s3_backends[OTHER_ACCOUNT]["aws"].get_bucket(BUCKET).keys) == theirs


def test_a_store_that_does_not_know_the_owner_makes_no_call(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])
    calls: list[str] = []
    outputs = bucket.outputs(owner=None, hooks={"before-send.s3": lambda **_: calls.append("sent")})

    with pytest.raises(OutputStoreError) as raised:
        outputs.probe(job)
    removal = outputs.remove(job)

    assert raised.value.code == "NoBucketOwner"
    assert removal.stopped is not None
    assert removal.stopped.startswith("NoBucketOwner")
    assert calls == []
    assert outputs.owned_by(ACCOUNT_ID).count(job) == OutputCount(objects=3, bytes=300)


# -- the deadline ----------------------------------------------------------------------------------


def test_a_removal_held_past_its_deadline_returns_by_then_saying_what_is_left(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put(f"{job.prefix}datasets/{i:04d}.jsonl" for i in range(1500))
    end = time.monotonic() + 1.0
    deadline = Deadline(lambda: end - time.monotonic())

    with delete_objects_held():
        removal = bucket.outputs().remove(job, deadline)
        returned = time.monotonic()

    assert returned - end < 0.5, "not waited for past the deadline"
    assert removal.stopped is not None
    assert removal.stopped.startswith("DeadlineExceeded: ")
    assert (removal.listed, removal.deleted, removal.unsent) == (1500, OutputCount(), 1500)
    assert len(bucket.delete_calls) == 1, "no second call after the first was abandoned"


def test_no_call_starts_after_the_deadline(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])
    calls: list[str] = []
    outputs = bucket.outputs(hooks={"before-send.s3": lambda **_: calls.append("sent")})
    passed = Deadline(lambda: -1.0)

    removal = outputs.remove(job, passed)
    with pytest.raises(DeadlineExceededError):
        outputs.probe(job, passed)

    assert removal.stopped is not None
    assert removal.stopped.startswith("DeadlineExceeded")
    assert calls == []
    assert bucket.keys() == {f"{job.prefix}{file}" for file in FILES}


def test_the_probe_asks_for_one_key_under_the_jobs_own_prefix(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    asked: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        asked.append(dict(params))

    bucket.outputs(hooks={"provide-client-params.s3.ListObjectsV2": record}).probe(job)

    assert asked == [
        {"Bucket": BUCKET, "Prefix": job.prefix, "MaxKeys": 1, "ExpectedBucketOwner": ACCOUNT_ID}
    ]
