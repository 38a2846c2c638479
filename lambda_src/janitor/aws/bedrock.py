"""The only module that talks to Bedrock: listing, tag lookups and batch deletes of evaluation jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
import botocore
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.sdk import client_config
from janitor.aws.worker_clients import WorkerClients, call_error
from janitor.core.deadline import NO_DEADLINE, Deadline
from janitor.core.job_store import BatchDeleteOutcome, JobGoneError
from janitor.core.report import FailedJob
from janitor.core.selection import EvaluationJob

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

#: The largest page ListEvaluationJobs serves: fewest list calls.
LIST_PAGE_SIZE = 1000
#: Never a valid creationTime: a summary without a parseable one is classed as malformed.
_NO_TIME = datetime.min


class OutdatedSdkError(RuntimeError):
    """The botocore on the path predates BatchDeleteEvaluationJob."""


def require_batch_delete(client: BedrockClient) -> BedrockClient:
    if "BatchDeleteEvaluationJob" not in client.meta.service_model.operation_names:
        raise OutdatedSdkError(
            f"botocore {botocore.__version__} has no BatchDeleteEvaluationJob (it arrived in 1.35.4). "
            "The function must run with the boto3/botocore bundled in its asset "
            "(requirements-lambda.txt); redeploy with `cdk deploy` so the asset carries them."
        )
    return client


def create_bedrock_client(session: boto3.session.Session, max_concurrency: int) -> BedrockClient:
    # No endpoint here: AWS_ENDPOINT_URL_BEDROCK redirects the client when it is set.
    return require_batch_delete(session.client("bedrock", config=client_config(max_concurrency)))


def _job_from_summary(summary: Mapping[str, Any]) -> EvaluationJob:
    created = summary.get("creationTime")
    return EvaluationJob(
        arn=str(summary.get("jobArn", "")),
        name=str(summary.get("jobName", "")),
        status=str(summary.get("status", "")),
        creation_time=created if isinstance(created, datetime) else _NO_TIME,
        application_type=str(summary.get("applicationType", "ModelEvaluation")),
    )


def _about_one_job(arn: str, call: Callable[[], Any]) -> Any:
    """`call`'s answer; JobGoneError when Bedrock no longer knows the job, else BedrockCallError."""
    try:
        return call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise JobGoneError(arn) from error
        raise call_error(error) from error
    except BotoCoreError as error:
        raise call_error(error) from error


class BedrockEvaluationJobs:
    """Evaluation jobs as the janitor sees them.

    Listing uses `client`. Tag lookups and deletes run on worker threads, each with a client of
    its own from `client_factory` (janitor.aws.worker_clients says why); without a factory they
    share `client`.
    """

    def __init__(
        self,
        client: BedrockClient,
        client_factory: Callable[[], BedrockClient] | None = None,
    ) -> None:
        self._workers = WorkerClients(client_factory, shared=client)
        self._workers.attach(client)
        self._client = client

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline = NO_DEADLINE
    ) -> Iterator[list[EvaluationJob]]:
        """Every job created before `created_before`, oldest first, a page at a time."""
        query: dict[str, Any] = {
            "creationTimeBefore": created_before,
            "sortBy": "CreationTime",
            "sortOrder": "Ascending",
            "maxResults": LIST_PAGE_SIZE,
        }
        if application_type is not None:
            query["applicationTypeEquals"] = application_type
        while True:
            # The listing client is this thread's alone; its calls are bounded like the workers'.
            # Pages are followed with Bedrock's own nextToken rather than botocore's paginator,
            # whose tokens are its own format. A page that fails after the SDK's attempts ends
            # the listing: resuming it bought nothing in any measured scenario (README, Safety).
            self._workers.bound_by(deadline)
            try:
                page = self._client.list_evaluation_jobs(**query)
            except (ClientError, BotoCoreError) as error:
                raise call_error(error) from error
            yield [_job_from_summary(summary) for summary in page.get("jobSummaries", [])]
            next_token = page.get("nextToken")
            if not next_token:
                return
            query["nextToken"] = next_token

    def get_tags(self, arn: str, deadline: Deadline = NO_DEADLINE) -> dict[str, str]:
        response = _about_one_job(
            arn, lambda: self._workers.for_call(deadline).list_tags_for_resource(resourceARN=arn)
        )
        return {tag["key"]: tag["value"] for tag in response.get("tags", [])}

    def current_job(self, arn: str, deadline: Deadline = NO_DEADLINE) -> EvaluationJob:
        """The job as GetEvaluationJob describes it now (the command line re-checks a plan with it)."""
        return _job_from_summary(
            _about_one_job(
                arn, lambda: self._workers.for_call(deadline).get_evaluation_job(jobIdentifier=arn)
            )
        )

    def output_of(self, arn: str, deadline: Deadline = NO_DEADLINE) -> tuple[str, str]:
        """(jobName, outputDataConfig.s3Uri) from GetEvaluationJob (DELETE_OUTPUTS only)."""
        job = _about_one_job(
            arn, lambda: self._workers.for_call(deadline).get_evaluation_job(jobIdentifier=arn)
        )
        return job["jobName"], job["outputDataConfig"]["s3Uri"]

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline = NO_DEADLINE) -> BatchDeleteOutcome:
        try:
            response = self._workers.for_call(deadline).batch_delete_evaluation_job(jobIdentifiers=list(arns))
        except (ClientError, BotoCoreError) as error:
            raise call_error(error) from error
        return BatchDeleteOutcome(
            accepted=[item["jobIdentifier"] for item in response.get("evaluationJobs", [])],
            errors=[
                FailedJob(item.get("jobIdentifier", ""), item.get("code", "Unknown"), item.get("message", ""))
                for item in response.get("errors", [])
            ],
        )
