"""DELETE_OUTPUTS end to end: the real handler against the Bedrock emulator (GetEvaluationJob
answers each job's outputDataConfig) and moto server's S3 over HTTP. A deleted job's own prefix
`<s3Uri>/<jobName>/<jobId>/` is emptied; everything else stays. A bucket that refuses keeps its
jobs undeleted; a bucket of another account is never touched (ExpectedBucketOwner, enforced on
moto as AWS enforces it: localdev.s3_faults)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moto.s3.models import s3_backends

from localdev.s3_faults import (
    bucket_refusing,
    delete_objects_held,
    delete_objects_refusing,
    expected_bucket_owner_enforced,
)
from localdev.services import ACCOUNT_ID, REGION, LocalAws
from tests.conftest import Invoker

OLD = datetime.now(UTC) - timedelta(days=40)
RECENT = datetime.now(UTC) - timedelta(days=2)
LISTED = "eval-results"
UNLISTED = "other-team-evals"
OUTPUTS = {"DELETE_OUTPUTS": "true", "OUTPUT_BUCKETS": LISTED}
#: What an automatic evaluation job writes under its own prefix (docs/s3-outputs.md).
FILES = ("models/m/taskTypes/Generation/datasets/BoolQ/0_output.jsonl", "custom_metrics/helpfulness.json")


class Jobs:
    def __init__(self, local: LocalAws) -> None:
        self.local = local
        self.s3 = local.client("s3")
        for bucket in (LISTED, UNLISTED):
            self.s3.create_bucket(Bucket=bucket)

    def add(
        self,
        name: str,
        s3_uri: str,
        *,
        created: datetime = OLD,
        files: tuple[str, ...] = FILES,
        **job: object,
    ) -> str:
        """A finished job whose outputs are under `<s3_uri>/<name>/<id>/`; its ARN."""
        arn = self.local.bedrock.add_job(name, "Completed", created, output_s3_uri=s3_uri, **job)  # type: ignore[arg-type]
        bucket, _, path = s3_uri.removeprefix("s3://").partition("/")
        prefix = f"{path.rstrip('/') + '/' if path.strip('/') else ''}{name}/{arn.rsplit('/', 1)[1]}/"
        for file in files:
            self.s3.put_object(Bucket=bucket, Key=prefix + file, Body=b"x" * 100)
        return arn

    def keys(self, bucket: str) -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_a_deleted_jobs_own_prefix_is_emptied_and_a_job_sharing_its_s3_uri_keeps_everything(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    old = jobs.add("nightly-old", f"s3://{LISTED}/shared/")
    recent = jobs.add("nightly-recent", f"s3://{LISTED}/shared/", created=RECENT)
    jobs.s3.put_object(Bucket=LISTED, Key="shared/README.txt", Body=b"the team's own file")
    before = jobs.keys(LISTED)

    run = invoke({}, **OUTPUTS)

    assert run.error is None
    assert run.result is not None
    old_id, recent_id = old.rsplit("/", 1)[1], recent.rsplit("/", 1)[1]
    assert jobs.keys(LISTED) == {key for key in before if f"/nightly-old/{old_id}/" not in key}
    assert any(f"nightly-recent/{recent_id}/" in key for key in jobs.keys(LISTED))
    assert "shared/README.txt" in jobs.keys(LISTED), "the shared s3Uri itself is never touched"
    assert (run.result["outputObjectsDeleted"], run.result["outputBytesDeleted"]) == (2, 200)
    assert run.result["outputsFailed"] == []
    assert run.result["outputsKept"] == []
    assert run.metrics["OutputObjectsDeleted"] == 2
    assert run.metrics["OutputBytesDeleted"] == 200


def test_outputs_in_a_bucket_not_listed_are_kept_and_reported_and_the_job_still_goes(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    arn = jobs.add("elsewhere", f"s3://{UNLISTED}/evals")
    before = jobs.keys(UNLISTED)

    run = invoke({}, **OUTPUTS)

    assert run.result is not None
    assert run.result["deleted"] == 1
    assert local.bedrock.surviving_job_arns() == []
    assert jobs.keys(UNLISTED) == before
    [kept] = run.result["outputsKept"]
    assert kept["jobIdentifier"] == arn
    assert UNLISTED in kept["reason"]


def test_a_protected_job_and_a_job_bedrock_refuses_keep_their_outputs(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    jobs.add("protected", f"s3://{LISTED}/evals", tags={"janitor:retain": "true"})
    refused = jobs.add("refused", f"s3://{LISTED}/evals")
    local.bedrock.fail_item(refused, "409", "The job is being used by another operation.")
    before = jobs.keys(LISTED)

    run = invoke({}, **OUTPUTS)

    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"], run.result["skipped"]) == (0, 1, {"protected": 1})
    assert jobs.keys(LISTED) == before
    assert run.result["outputObjectsDeleted"] == 0


def test_objects_s3_refuses_to_delete_are_reported_with_where_they_are(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    arn = jobs.add("partly-refused", f"s3://{LISTED}/evals")
    job_id = arn.rsplit("/", 1)[1]
    refused_key = f"evals/partly-refused/{job_id}/{FILES[1]}"

    with delete_objects_refusing({refused_key}):
        run = invoke({}, **OUTPUTS)

    assert run.error is None
    assert run.result is not None
    assert run.result["deleted"] == 1, "the job is gone whatever happens to its outputs"
    assert jobs.keys(LISTED) == {refused_key}
    assert run.result["outputsFailed"] == [
        {
            "jobIdentifier": arn,
            "bucket": LISTED,
            "prefix": f"evals/partly-refused/{job_id}/",
            "count": 1,
            "error": run.result["outputsFailed"][0]["error"],
        }
    ]
    assert run.result["outputsFailed"][0]["error"].startswith("AccessDenied")
    [report] = local.published_notifications()
    assert report["Message"]["outputsFailed"] == run.result["outputsFailed"], "nothing silently orphaned"
    [line] = run.logs("Failed to delete evaluation job outputs")
    assert line["bucket"] == LISTED
    assert line["count"] == 1


def test_a_dry_run_deletes_nothing_and_finds_what_the_real_run_then_removes(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    for index in range(3):
        jobs.add(f"job-{index}", f"s3://{LISTED}/evals/")
    before = jobs.keys(LISTED)

    dry = invoke({"dryRun": True}, **OUTPUTS)
    assert jobs.keys(LISTED) == before
    real = invoke({}, **OUTPUTS)

    assert dry.result is not None
    assert real.result is not None
    assert (dry.result["outputObjectsDeleted"], dry.result["outputBytesDeleted"]) == (0, 0)
    assert (dry.result["outputObjectsFound"], dry.result["outputBytesFound"]) == (6, 600)
    assert (real.result["outputObjectsDeleted"], real.result["outputBytesDeleted"]) == (6, 600)
    assert len(dry.logs("Would delete evaluation job outputs (dry run)")) == 3
    assert jobs.keys(LISTED) == set()


def test_the_cost_is_one_get_evaluation_job_per_deleted_job_and_none_when_off(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    for index in range(30):
        jobs.add(f"job-{index}", f"s3://{LISTED}/evals/", files=(FILES[0],))

    invoke({"dryRun": True})
    assert "GetEvaluationJob" not in local.bedrock.request_counts(), "DELETE_OUTPUTS off: no extra call"
    run = invoke({}, **OUTPUTS)

    assert run.result is not None
    assert run.result["deleted"] == 30
    assert local.bedrock.request_counts()["GetEvaluationJob"] == 30


MEMBER = "222222222222"
#: A bucket whose name another account holds.
CLAIMED = "claimed-evals"


def test_a_bucket_of_the_same_name_in_another_account_is_never_touched(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    s3_backends[MEMBER]["aws"].create_bucket(CLAIMED, REGION)
    own = jobs.add("own-bucket", f"s3://{LISTED}/evals")
    elsewhere = local.bedrock.add_job("elsewhere", "Completed", OLD, output_s3_uri=f"s3://{CLAIMED}/evals")
    theirs = {f"evals/elsewhere/{elsewhere.rsplit('/', 1)[1]}/{file}" for file in FILES}
    for key in theirs:
        s3_backends[MEMBER]["aws"].put_object(CLAIMED, key, b"not the janitor's")

    with expected_bucket_owner_enforced() as refused:
        run = invoke({}, DELETE_OUTPUTS="true", OUTPUT_BUCKETS=f"{LISTED},{CLAIMED}")

    assert run.result is not None
    assert set(s3_backends[MEMBER]["aws"].get_bucket(CLAIMED).keys) == theirs
    assert refused == [CLAIMED], "one probe, refused; nothing more asked of that bucket"
    assert local.bedrock.surviving_job_arns() == [elsewhere], "kept, so its outputs are not orphaned"
    assert jobs.keys(LISTED) == set(), f"{own}'s own bucket is cleaned as before"
    [kept] = run.result["outputsKept"]
    assert kept["jobIdentifier"] == elsewhere
    assert f"s3://{CLAIMED} refused ListObjectsV2 (AccessDenied: Access Denied)" in kept["reason"]
    assert ACCOUNT_ID in kept["reason"]


def test_a_member_target_names_the_member_account_as_its_buckets_owner(
    local: LocalAws, invoke: Invoker
) -> None:
    Jobs(local)  # the hub's own buckets, LISTED among them
    member_bucket = "member-evals"
    s3_backends[MEMBER]["aws"].create_bucket(member_bucket, REGION)
    in_member = local.bedrock.add_job(
        "mine", "Completed", OLD, account_id=MEMBER, output_s3_uri=f"s3://{member_bucket}/evals"
    )
    in_hub = local.bedrock.add_job(
        "hubs", "Completed", OLD, account_id=MEMBER, output_s3_uri=f"s3://{LISTED}/evals"
    )
    for arn, bucket in ((in_member, member_bucket), (in_hub, LISTED)):
        key = f"evals/{'mine' if arn == in_member else 'hubs'}/{arn.rsplit('/', 1)[1]}/{FILES[0]}"
        s3_backends[MEMBER if bucket == member_bucket else ACCOUNT_ID]["aws"].put_object(bucket, key, b"x")

    with expected_bucket_owner_enforced():
        run = invoke(
            {"target": {"accountId": MEMBER, "region": REGION}},
            DELETE_OUTPUTS="true",
            OUTPUT_BUCKETS=f"{LISTED},{member_bucket}",
            MEMBER_ROLE_NAME="BedrockEvaluationJanitorMember",
            MEMBER_ACCOUNTS=MEMBER,
        )

    assert run.result is not None
    assert run.result["outputObjectsDeleted"] == 1
    assert not s3_backends[MEMBER]["aws"].get_bucket(member_bucket).keys, "the member's bucket is cleaned"
    assert len(s3_backends[ACCOUNT_ID]["aws"].get_bucket(LISTED).keys) == 1, "the hub's is not"
    assert local.bedrock.surviving_job_arns(account_id=MEMBER, region=REGION) == [in_hub]
    assert [kept["jobIdentifier"] for kept in run.result["outputsKept"]] == [in_hub]


def test_a_bucket_that_refuses_keeps_its_jobs_and_a_dry_run_says_so(local: LocalAws, invoke: Invoker) -> None:
    jobs = Jobs(local)
    refused_jobs = {jobs.add(f"locked-{i}", f"s3://{LISTED}/evals") for i in range(2)}
    before = jobs.keys(LISTED)

    with bucket_refusing({LISTED}) as refusals:
        dry = invoke({"dryRun": True}, **OUTPUTS)
        real = invoke({}, **OUTPUTS)

    assert dry.result is not None
    assert real.result is not None
    assert len(refusals) == 2, "one probe a run"
    assert set(local.bedrock.surviving_job_arns()) == refused_jobs
    assert jobs.keys(LISTED) == before
    assert real.result["deleted"] == 0
    assert real.result["failed"] == 0
    for result in (dry.result, real.result):
        assert {kept["jobIdentifier"] for kept in result["outputsKept"]} == refused_jobs
        assert all("refused ListObjectsV2 (AccessDenied" in kept["reason"] for kept in result["outputsKept"])
    assert [k["reason"] for k in dry.result["outputsKept"]] == [
        k["reason"] for k in real.result["outputsKept"]
    ]
    for result in (dry.result, real.result):
        assert result["skipped"].get("outputsBucketRefused") == 2, "kept for their bucket, not protected"
        assert "protected" not in result["skipped"]
        assert result["eligible"] == 0, "the dry run counts what the real run deletes"


def test_a_removal_cut_by_the_deadline_is_reported_in_outputs_failed_once(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    arn = jobs.add("slow-bucket", f"s3://{LISTED}/evals")

    # 8 s, 4 of them the reserve: removal stops 2 s before the run's deadline, the S3 call held.
    with delete_objects_held():
        run = invoke({}, timeout_seconds=8.0, TIME_RESERVE_SECONDS="4", **OUTPUTS)

    assert run.result is not None
    assert run.seconds_left > 2, "the summary came back in time"
    assert run.result["deleted"] == 1
    [failed] = run.result["outputsFailed"]
    assert failed["jobIdentifier"] == arn
    assert failed["count"] == len(FILES), "listed and not deleted"
    assert failed["error"].startswith("DeadlineExceeded: ")
    assert run.logs("Evaluation job delete abandoned, outcome unknown") == []
    [report] = local.published_notifications()
    assert report["Message"]["outputsFailed"] == run.result["outputsFailed"]


def test_objects_hidden_by_delete_markers_are_reported_as_noncurrent_not_deleted(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = Jobs(local)
    jobs.s3.put_bucket_versioning(Bucket=LISTED, VersioningConfiguration={"Status": "Enabled"})
    jobs.add("versioned", f"s3://{LISTED}/evals")

    run = invoke({}, **OUTPUTS)

    assert run.result is not None
    assert jobs.keys(LISTED) == set(), "gone from listings"
    assert (run.result["outputObjectsDeleted"], run.result["outputBytesDeleted"]) == (0, 0)
    assert (run.result["outputObjectsNoncurrent"], run.result["outputBytesNoncurrent"]) == (2, 200)
    [line] = run.logs("Evaluation job outputs left as noncurrent versions behind delete markers")
    assert (line["objects"], line["bytes"]) == (2, 200)
