"""The only module that talks to Bedrock: listing, tag lookups and deletes, written once for any
kind of leftover (janitor.kinds), whose declaration gives the calls' parameters and reads their
answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import botocore
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.sdk import client_config
from janitor.aws.worker_clients import WorkerClients, call_error
from janitor.core.deadline import NO_DEADLINE, Deadline
from janitor.core.job_store import NOT_FOUND_CODE, BatchDeleteOutcome, BedrockCallError, JobGoneError
from janitor.core.kind import LIST_SORTED, LIST_UNORDERED, RESOURCE_GONE, RESOURCE_NOT_FINISHED, Kind
from janitor.core.report import FailedJob
from janitor.core.selection import Leftover
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient


#: How many of an unordered kind's resources, once sorted, the run is handed at a time.
SORTED_PAGE_SIZE = 1000


def _oldest_first(item: Leftover) -> datetime:
    # A summary without a parseable time (NO_TIME, naive) sorts first and is then skipped as
    # malformed; comparing it with the aware times as it is would raise.
    time = item.creation_time
    return time if time.tzinfo is not None else time.replace(tzinfo=UTC)


class OutdatedSdkError(RuntimeError):
    """The botocore on the path predates a kind's delete call."""


def require_delete_call(client: Any, kind: Kind = EVALUATION_JOBS) -> Any:
    if kind.delete_operation not in client.meta.service_model.operation_names:
        raise OutdatedSdkError(
            f"botocore {botocore.__version__} has no {kind.delete_operation} (it arrived in "
            f"{kind.since_botocore}). The function must run with the boto3/botocore bundled in its "
            "asset (requirements-lambda.txt); redeploy with `cdk deploy` so the asset carries them."
        )
    return client


def create_kind_client(
    session: boto3.session.Session, max_concurrency: int, kind: Kind = EVALUATION_JOBS
) -> BedrockClient:
    # No endpoint here: AWS_ENDPOINT_URL_<SERVICE> (e.g. _BEDROCK) redirects the client when set.
    # The asset keeps the model of every registered kind's service (infra/asset_pruning.py).
    client = session.client(kind.service, config=client_config(max_concurrency))  # type: ignore[call-overload]
    return require_delete_call(client, kind)  # type: ignore[no-any-return]


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


class BedrockLeftovers:
    """Evaluation jobs as the janitor sees them.

    Listing uses `client`. Tag lookups and deletes run on worker threads, each with a client of
    its own from `client_factory` (janitor.aws.worker_clients says why); without a factory they
    share `client`.
    """

    def __init__(
        self,
        client: BedrockClient,
        client_factory: Callable[[], BedrockClient] | None = None,
        kind: Kind = EVALUATION_JOBS,
    ) -> None:
        self._workers = WorkerClients(client_factory, shared=client)
        self._workers.attach(client)
        self._client = client
        self.kind = kind

    def _call(self, client: Any, operation: str, **parameters: Any) -> Any:
        """The kind's `operation` (its API name, e.g. ListEvaluationJobs) on `client`."""
        return getattr(client, botocore.xform_name(operation))(**parameters)

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline = NO_DEADLINE
    ) -> Iterator[list[Leftover]]:
        """Every resource created before `created_before`, oldest first, a page at a time (with,
        for a list without a time filter, the too recent ones of the last page read)."""
        pages = self._pages(created_before, application_type, deadline)
        if self.kind.list_order == LIST_UNORDERED:
            # No sort on the service's side: the oldest may come last, and the cap keeps the oldest.
            everything = sorted((item for page in pages for item in page), key=_oldest_first)
            for start in range(0, len(everything), SORTED_PAGE_SIZE):
                yield everything[start : start + SORTED_PAGE_SIZE]
            return
        for page in pages:
            yield page
            if self.kind.list_order == LIST_SORTED and any(
                item.creation_time.tzinfo is not None and item.creation_time >= created_before
                for item in page
            ):
                return  # oldest first: every later page is too recent

    def _pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[list[Leftover]]:
        kind = self.kind
        query = kind.list_query(created_before, application_type)
        while True:
            # The listing client is this thread's alone; its calls are bounded like the workers'.
            # Pages are followed with the service's own nextToken rather than botocore's paginator,
            # whose tokens are its own format. A page that fails after the SDK's attempts ends
            # the listing: resuming it bought nothing in any measured scenario (docs/safety.md).
            self._workers.bound_by(deadline)
            try:
                page = self._call(self._client, kind.list_operation, **query)
            except (ClientError, BotoCoreError) as error:
                raise call_error(error) from error
            yield [kind.from_summary(summary) for summary in page.get(kind.summaries_key, [])]
            next_token = page.get("nextToken")
            if not next_token:
                return
            query["nextToken"] = next_token

    def get_tags(self, arn: str, deadline: Deadline = NO_DEADLINE) -> dict[str, str]:
        kind = self.kind
        operation = kind.tags_operation
        if operation is None:
            raise BedrockCallError(
                "NoTagRead", f"{kind.service} has no per-resource tag read; tags come from tag:GetResources"
            )
        response = _about_one_job(
            arn,
            lambda: self._call(self._workers.for_call(deadline), operation, **kind.tags_request(arn)),
        )
        return kind.read_tags(response)

    def current_job(self, arn: str, deadline: Deadline = NO_DEADLINE) -> Leftover:
        """The job as its get call describes it now (the command line re-checks a plan with it)."""
        return self.kind.from_summary(self._get(arn, deadline))

    def _get(self, arn: str, deadline: Deadline) -> Any:
        kind = self.kind
        return _about_one_job(
            arn,
            lambda: self._call(self._workers.for_call(deadline), kind.get_operation, **kind.get_request(arn)),
        )

    def output_of(self, arn: str, deadline: Deadline = NO_DEADLINE) -> tuple[str, str]:
        """(jobName, outputDataConfig.s3Uri) from GetEvaluationJob (DELETE_OUTPUTS only)."""
        job = self._get(arn, deadline)
        return job["jobName"], job["outputDataConfig"]["s3Uri"]

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline = NO_DEADLINE) -> BatchDeleteOutcome:
        kind = self.kind
        try:
            client = self._workers.for_call(deadline)
            response = self._call(client, kind.delete_operation, **kind.delete_request(arns))
        except ClientError as error:
            meaning = kind.resource_error_codes.get(error.response.get("Error", {}).get("Code", ""))
            if meaning is None:
                raise call_error(error) from error
            # A one-call kind's answer about its one resource, read as a batch's item would be.
            if meaning == RESOURCE_NOT_FINISHED:
                return BatchDeleteOutcome(not_finished=list(arns))
            assert meaning == RESOURCE_GONE
            return BatchDeleteOutcome(errors=[FailedJob(arn, NOT_FOUND_CODE, str(error)) for arn in arns])
        except BotoCoreError as error:
            raise call_error(error) from error
        return kind.read_delete_answer(response, arns)
