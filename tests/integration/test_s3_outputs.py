"""S3Outputs against moto server's S3 over HTTP: a job's prefix is counted and emptied a listing
page at a time, one DeleteObjects call a page, and nothing outside that prefix is ever sent
(whose bucket, and how long: test_s3_output_bounds.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from moto.s3.exceptions import S3AccessDeniedError
from moto.s3.models import S3Backend

from janitor.outputs.locations import OutputLocation, is_own_key
from janitor.outputs.s3 import OutputCount, OutputStoreError, S3Outputs
from localdev.s3_faults import delete_objects_refusing
from localdev.services import ACCOUNT_ID, LocalAws
from tests.integration.s3_output_support import BUCKET, FILES, Bucket, locate

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def test_2500_objects_go_in_exactly_3_delete_objects_calls_and_the_count_was_exact(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a/", "nightly", "a1b2c3d4e5f6")
    bucket.put((f"{job.prefix}datasets/{i:05d}.jsonl" for i in range(2500)), size=lambda i: i % 7)
    outputs = bucket.outputs()

    counted = outputs.count(job)
    removal = outputs.remove(job)

    assert counted == OutputCount(objects=2500, bytes=sum(i % 7 for i in range(2500)))
    assert removal.deleted == counted
    assert removal.failed_keys == []
    assert removal.delete_calls == 3
    assert [len(keys) for keys in bucket.delete_calls] == [1000, 1000, 500]
    assert all(is_own_key(job, key) for keys in bucket.delete_calls for key in keys)
    assert bucket.keys() == set()


def test_removing_one_jobs_outputs_leaves_the_other_job_and_the_shared_path_alone(local: LocalAws) -> None:
    bucket = Bucket(local)
    shared = f"s3://{BUCKET}/team-a"
    removed = locate(shared, "nightly", "a1b2c3d4e5f6")
    others = [
        locate(shared, "nightly", "b1b2c3d4e5f6"),  # the same name again, a later run
        locate(shared, "nightly-2", "c1b2c3d4e5f6"),  # a name this one's is the start of
    ]
    bucket.put(f"{job.prefix}{file}" for job in [removed, *others] for file in FILES)
    # The team's own objects directly under the shared s3Uri, one named like the job's folder.
    bucket.put(["team-a/prompts.jsonl", "team-a/nightly", "team-a/nightly-notes.txt", "team-b/x.json"])
    before = bucket.keys()

    removal = bucket.outputs().remove(removed)

    assert removal.deleted.objects == len(FILES)
    assert bucket.keys() == {key for key in before if not key.startswith(removed.prefix)}
    assert {f"{job.prefix}{file}" for job in others for file in FILES} <= bucket.keys()
    assert {"team-a/prompts.jsonl", "team-a/nightly", "team-a/nightly-notes.txt"} <= bucket.keys()


@pytest.mark.parametrize(
    ("code", "message"),
    [("AccessDenied", "Access Denied"), ("SlowDown", "Please reduce your request rate.")],
)
def test_keys_s3_refuses_are_reported_exactly_and_the_rest_are_deleted(
    local: LocalAws, code: str, message: str
) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    keys = [f"{job.prefix}datasets/{i:02d}.jsonl" for i in range(30)]
    bucket.put(keys, size=lambda i: 10 + i)
    refused = [keys[i] for i in (3, 17, 29)]

    with delete_objects_refusing({*refused, "team-a/not-this-jobs.json"}, code=code) as refusals:
        removal = bucket.outputs().remove(job)

    assert sorted(refusals) == refused
    assert [key for key, _, _ in removal.failed_keys] == refused
    assert {(failed_code, failed_message) for _, failed_code, failed_message in removal.failed_keys} == {
        (code, message)
    }
    assert removal.deleted == OutputCount(
        objects=27, bytes=sum(10 + i for i in range(30) if i not in (3, 17, 29))
    )
    assert bucket.keys() == set(refused)


def test_plain_deletes_in_a_versioned_bucket_leave_delete_markers_over_the_versions(local: LocalAws) -> None:
    bucket = Bucket(local, versioned=True)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    keys = [f"{job.prefix}{file}" for file in FILES]
    bucket.put(keys)
    bucket.put(keys)  # a second version of each
    outputs = bucket.outputs(all_versions=False)

    counted = outputs.count(job)
    removal = outputs.remove(job)

    assert counted == OutputCount(objects=3, bytes=300), "the current objects, not their versions"
    assert removal.deleted == OutputCount(), "hidden behind delete markers is not deleted"
    assert removal.noncurrent == counted
    assert removal.stopped is None
    assert bucket.keys(job.prefix) == set()
    versions, markers = bucket.versions(job.prefix)
    assert sorted(key for key, _ in versions) == sorted(keys * 2)
    assert sorted(key for key, _ in markers) == sorted(keys)


def test_all_versions_removes_every_version_and_delete_marker_under_the_prefix_only(
    local: LocalAws,
) -> None:
    bucket = Bucket(local, versioned=True)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    other = locate(f"s3://{BUCKET}/team-a", "nightly", "b1b2c3d4e5f6")
    # 700 keys of two versions each, 1,400 versions: the listing takes two pages, the second
    # continuing from the first page's last version, which that page's DeleteObjects removes
    # (moto then lists nothing more, unless the next page was listed before the delete).
    keys = [f"{job.prefix}datasets/{i:04d}.jsonl" for i in range(700)]
    bucket.put(keys, size=lambda i: 3)
    bucket.put(keys, size=lambda i: 4)
    bucket.s3.delete_object(Bucket=BUCKET, Key=keys[0])  # a delete marker of its own
    bucket.put([f"{other.prefix}{file}" for file in FILES])
    bucket.put([f"{other.prefix}{file}" for file in FILES])
    others_before = bucket.versions(other.prefix)
    outputs = bucket.outputs(all_versions=True)

    counted = outputs.count(job)
    removal = outputs.remove(job)

    assert counted == OutputCount(objects=1401, bytes=700 * 7), "delete markers count, with no bytes"
    assert removal.deleted == counted
    assert removal.delete_calls == 2
    assert bucket.versions(job.prefix) == ([], [])
    assert bucket.versions(other.prefix) == others_before


def test_a_key_outside_the_prefix_is_never_sent_whatever_the_listing_returns(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])
    bucket.put(["team-a/prompts.jsonl"])

    def listing_returns_a_stranger(parsed: dict[str, Any], **_: Any) -> None:
        # As if S3 (or anything between) answered the prefixed listing with a key outside it.
        parsed.setdefault("Contents", []).append({"Key": "team-a/prompts.jsonl", "Size": 1})

    outputs = bucket.outputs(hooks={"after-call.s3.ListObjectsV2": listing_returns_a_stranger})
    counted = outputs.count(job)
    removal = outputs.remove(job)

    assert counted == removal.deleted == OutputCount(objects=3, bytes=300)
    assert "team-a/prompts.jsonl" not in {key for keys in bucket.delete_calls for key in keys}
    assert bucket.keys() == {"team-a/prompts.jsonl"}


def test_a_listing_that_fails_stops_the_removal_with_s3s_code(local: LocalAws) -> None:
    outputs = Bucket(local).outputs()
    nowhere = OutputLocation("no-such-bucket", "team-a/nightly/a1b2c3d4e5f6/")

    removal = outputs.remove(nowhere)

    assert removal.stopped is not None
    assert removal.stopped.startswith("NoSuchBucket: ")
    with pytest.raises(OutputStoreError) as raised:
        outputs.count(nowhere)
    assert raised.value.code == "NoSuchBucket"


def test_a_delete_objects_call_refused_as_a_whole_raises_with_s3s_code(
    local: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])

    def refuse_the_whole_call(*args: Any, **kwargs: Any) -> None:
        raise S3AccessDeniedError()

    # moto server answers the whole DeleteObjects request 403 AccessDenied, as S3 does when IAM
    # denies s3:DeleteObject on the bucket; the listing before it succeeds.
    monkeypatch.setattr(S3Backend, "delete_objects", refuse_the_whole_call)
    removal = bucket.outputs().remove(job)

    assert removal.stopped == "AccessDenied: Access Denied"
    assert (removal.deleted, removal.unsent) == (OutputCount(), 3), "listed, none deleted"
    assert len(bucket.delete_calls) == 1
    assert bucket.keys() == {f"{job.prefix}{file}" for file in FILES}


def test_threads_share_one_client_made_once(local: LocalAws) -> None:
    bucket = Bucket(local)
    job = locate(f"s3://{BUCKET}/team-a", "nightly", "a1b2c3d4e5f6")
    bucket.put([f"{job.prefix}{file}" for file in FILES])
    made: list[S3Client] = []
    made_lock = threading.Lock()

    def client() -> S3Client:
        s3: S3Client = local.client("s3")
        with made_lock:
            made.append(s3)
        return s3

    outputs = S3Outputs(client, all_versions=False, bucket_owner=ACCOUNT_ID)
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: outputs.count(job), range(16)))

    assert counts == [OutputCount(objects=3, bytes=300)] * 16
    assert len(made) == 1
