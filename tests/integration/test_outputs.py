"""DELETE_OUTPUTS end to end: the real handler against the Bedrock emulator (GetEvaluationJob
answers each job's outputDataConfig) and moto server's S3 over HTTP. A deleted job's own prefix
`<s3Uri>/<jobName>/<jobId>/` is emptied; everything else stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from localdev.s3_faults import delete_objects_refusing
from localdev.services import LocalAws
from tests.conftest import Invoker

OLD = datetime.now(UTC) - timedelta(days=40)
RECENT = datetime.now(UTC) - timedelta(days=2)
LISTED = "eval-results"
UNLISTED = "other-team-evals"
OUTPUTS = {"DELETE_OUTPUTS": "true", "OUTPUT_BUCKETS": LISTED}
#: What an automatic evaluation job writes under its own prefix (README: Bedrock's S3 layout).
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
