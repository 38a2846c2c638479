"""The Bedrock adapter's calls, checked against botocore's own model with Stubber."""

import base64
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from janitor.aws.bedrock import (
    BedrockLeftovers,
    OutdatedSdkError,
    require_delete_call,
)
from janitor.aws.sdk import client_config
from janitor.core.deadline import Deadline, DeadlineExceededError
from janitor.core.job_store import BedrockCallError, JobGoneError

ARN = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/abcdef123456"


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "bedrock", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def test_listing_pushes_the_filters_the_api_has(client: Any) -> None:
    cutoff = datetime(2026, 10, 24, tzinfo=UTC)
    with Stubber(client) as stub:
        stub.add_response(
            "list_evaluation_jobs",
            {
                "jobSummaries": [
                    {
                        "jobArn": ARN,
                        "jobName": "nightly",
                        "status": "Completed",
                        "creationTime": datetime(2026, 9, 1, tzinfo=UTC),
                        "jobType": "Automated",
                        "evaluationTaskTypes": ["Summarization"],
                        "modelIdentifiers": ["amazon.titan-text-express-v1"],
                        "applicationType": "RagEvaluation",
                    }
                ],
                "nextToken": "page-2",
            },
            {
                "creationTimeBefore": cutoff,
                "sortBy": "CreationTime",
                "sortOrder": "Ascending",
                "maxResults": 1000,
                "applicationTypeEquals": "RagEvaluation",
            },
        )
        stub.add_response(
            "list_evaluation_jobs",
            {},  # the model forbids an empty jobSummaries list: a last empty page omits it
            {
                "creationTimeBefore": cutoff,
                "sortBy": "CreationTime",
                "sortOrder": "Ascending",
                "maxResults": 1000,
                "applicationTypeEquals": "RagEvaluation",
                "nextToken": "page-2",
            },
        )
        [[job], []] = BedrockLeftovers(client).list_job_pages(cutoff, "RagEvaluation")
        assert (job.arn, job.status, job.application_type) == (ARN, "Completed", "RagEvaluation")
        stub.assert_no_pending_responses()


def test_a_deleted_job_reads_as_gone_and_other_errors_keep_their_code(client: Any) -> None:
    jobs = BedrockLeftovers(client)
    with Stubber(client) as stub:
        stub.add_client_error("list_tags_for_resource", "ResourceNotFoundException", http_status_code=404)
        stub.add_client_error("list_tags_for_resource", "AccessDeniedException", "no", http_status_code=403)
        with pytest.raises(JobGoneError):
            jobs.get_tags(ARN)
        with pytest.raises(BedrockCallError) as raised:
            jobs.get_tags(ARN)
        assert (raised.value.code, raised.value.message) == ("AccessDeniedException", "no")


def test_batch_delete_reads_accepted_jobs_and_per_item_errors(client: Any) -> None:
    other = ARN.replace("abcdef123456", "000000000000")
    with Stubber(client) as stub:
        stub.add_response(
            "batch_delete_evaluation_job",
            {
                "evaluationJobs": [{"jobIdentifier": ARN, "jobStatus": "Deleting"}],
                "errors": [
                    {"jobIdentifier": other, "code": "404", "message": "Unable to locate this job to delete."}
                ],
            },
            {"jobIdentifiers": [ARN, other]},
        )
        outcome = BedrockLeftovers(client).delete_jobs([ARN, other])
    assert outcome.accepted == [ARN]
    assert [(e.job_identifier, e.code) for e in outcome.errors] == [(other, "404")]


def test_retries_default_to_eight_standard_attempts_unless_the_sdk_variable_says_otherwise() -> None:
    default: Any = client_config(16, environ={})
    from_sdk_variable: Any = client_config(16, environ={"AWS_MAX_ATTEMPTS": "3"})
    assert default.retries == {"mode": "standard", "total_max_attempts": 8}
    assert from_sdk_variable.retries == {"mode": "standard"}
    assert default.max_pool_connections >= 16


def test_an_sdk_without_batch_delete_is_refused_with_a_clear_message(client: Any) -> None:
    assert require_delete_call(client) is client
    old = SimpleNamespace(
        meta=SimpleNamespace(service_model=SimpleNamespace(operation_names=["ListEvaluationJobs"]))
    )
    with pytest.raises(OutdatedSdkError, match=r"arrived in 1\.35\.4.*bundled in its asset"):
        require_delete_call(old)


def summary(job_id: str) -> dict[str, Any]:
    return {
        "jobArn": ARN.replace("abcdef123456", job_id),
        "jobName": f"job-{job_id}",
        "status": "Completed",
        "creationTime": datetime(2026, 9, 1, tzinfo=UTC),
        "jobType": "Automated",
        "evaluationTaskTypes": ["Summarization"],
        "modelIdentifiers": ["amazon.titan-text-express-v1"],
    }


#: What AWS's list tokens usually are: base64 of a JSON object. botocore's paginator, given it
#: as a StartingToken, tries to decode it as its own token format and raises ParamValidationError.
SERVICE_TOKEN = base64.b64encode(json.dumps({"k": [1756684800000000, ARN], "v": 1}).encode()).decode()


def test_pages_are_followed_with_the_services_own_token(client: Any) -> None:
    cutoff = datetime(2026, 10, 24, tzinfo=UTC)
    query = {
        "creationTimeBefore": cutoff,
        "sortBy": "CreationTime",
        "sortOrder": "Ascending",
        "maxResults": 1000,
    }
    with Stubber(client) as stub:
        stub.add_response(
            "list_evaluation_jobs",
            {"jobSummaries": [summary("000000000001")], "nextToken": SERVICE_TOKEN},
            query,
        )
        stub.add_response(
            "list_evaluation_jobs",
            {"jobSummaries": [summary("000000000002")]},
            {**query, "nextToken": SERVICE_TOKEN},
        )
        pages = BedrockLeftovers(client).list_job_pages(cutoff, None)
        jobs = [job for page in pages for job in page]
        stub.assert_no_pending_responses()
    assert [job.name for job in jobs] == ["job-000000000001", "job-000000000002"]


@pytest.mark.parametrize(
    ("code", "status", "rejected"),
    [
        ("AccessDeniedException", 403, True),
        ("ThrottlingException", 429, True),
        ("InternalServerException", 500, False),
    ],
)
def test_a_page_that_fails_after_the_sdks_attempts_ends_the_listing_with_its_code(
    client: Any, code: str, status: int, rejected: bool
) -> None:
    with Stubber(client) as stub:
        stub.add_response(
            "list_evaluation_jobs", {"jobSummaries": [summary("000000000001")], "nextToken": "t"}
        )
        stub.add_client_error("list_evaluation_jobs", code, http_status_code=status)
        pages = iter(BedrockLeftovers(client).list_job_pages(datetime(2026, 10, 24, tzinfo=UTC), None))
        assert len(next(pages)) == 1, "the pages read before are the run's to use"
        with pytest.raises(BedrockCallError) as raised:
            next(pages)
        stub.assert_no_pending_responses()
    assert raised.value.code == code
    assert raised.value.rejected is rejected, "a 4xx answer is a refusal: nothing was changed"


def test_no_attempt_starts_after_the_deadline() -> None:
    # An endpoint nothing listens on: an attempt would fail with a connection error, not this.
    unreachable = boto3.client(
        "bedrock",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    jobs = BedrockLeftovers(unreachable)
    passed = Deadline(lambda: -1.0)
    with pytest.raises(DeadlineExceededError):
        jobs.get_tags(ARN, passed)
    with pytest.raises(DeadlineExceededError):
        jobs.delete_jobs([ARN], passed)
    with pytest.raises(DeadlineExceededError):
        next(iter(jobs.list_job_pages(datetime(2026, 10, 24, tzinfo=UTC), None, passed)))


@pytest.mark.parametrize("kind_name", ["batchEvaluations", "promptOptimizationJobs"])
def test_a_summary_without_a_time_does_not_break_an_unordered_or_sorted_listing(
    kind_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sorting and the early stop compare creation times: a summary without one (NO_TIME, naive)
    must come through to be skipped as malformed, not raise."""
    from janitor.core.kind import NO_TIME
    from janitor.core.selection import Leftover
    from janitor.kinds import KINDS

    def leftover(name: str, created: datetime) -> Leftover:
        return Leftover(
            arn=f"arn-{name}", name=name, status="Completed", creation_time=created, application_type=None
        )

    page = [
        leftover("newer", datetime(2026, 9, 2, tzinfo=UTC)),
        leftover("broken", NO_TIME),
        leftover("older", datetime(2026, 9, 1, tzinfo=UTC)),
    ]
    store = BedrockLeftovers(boto3.client("bedrock", region_name="us-east-1"), kind=KINDS[kind_name])
    monkeypatch.setattr(store, "_pages", lambda *args: iter([page]))
    names = [
        item.name
        for listed in store.list_job_pages(datetime(2026, 10, 1, tzinfo=UTC), None)
        for item in listed
    ]
    assert sorted(names) == ["broken", "newer", "older"]
    if kind_name == "batchEvaluations":
        assert names == ["broken", "older", "newer"], "sorted oldest first, the malformed one first"
