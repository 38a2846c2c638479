"""Amazon Bedrock AgentCore's batch evaluations (`StartBatchEvaluation`).

The list has neither a sort nor a time filter, so every page is read and sorted here; AgentCore
has no per-resource tag read, so tags come from tag:GetResources; each is deleted with its own
DeleteBatchEvaluation, which "deletes a batch evaluation and its associated results".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from janitor.core.job_store import BatchDeleteOutcome
from janitor.core.kind import LIST_UNORDERED, NO_TIME, RESOURCE_GONE, RESOURCE_NOT_FINISHED, Kind
from janitor.core.selection import Leftover

#: The largest page ListBatchEvaluations serves.
LIST_PAGE_SIZE = 100
#: DeleteBatchEvaluation's batchEvaluationId pattern (botocore's model).
_ID = r"[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}"


def _list_query(created_before: datetime, application_type: str | None) -> dict[str, Any]:
    return {"maxResults": LIST_PAGE_SIZE}


def _from_summary(summary: Mapping[str, Any]) -> Leftover:
    created = summary.get("createdAt")
    arn = str(summary.get("batchEvaluationArn", ""))
    # The model gives the ARN no pattern: it is taken from the answer, and accepted only when it
    # ends in the batch evaluation's own id, which is what the delete call is sent.
    if not arn.endswith(f"/{summary.get('batchEvaluationId', '')}"):
        arn = ""
    return Leftover(
        arn=arn,
        name=str(summary.get("batchEvaluationName", "")),
        status=str(summary.get("status", "")),
        creation_time=created if isinstance(created, datetime) else NO_TIME,
        application_type=None,
    )


def _identifier(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _delete_request(arns: Sequence[str]) -> dict[str, Any]:
    (arn,) = arns
    return {"batchEvaluationId": _identifier(arn)}


def _read_delete_answer(response: Mapping[str, Any], sent: Sequence[str]) -> BatchDeleteOutcome:
    # A 202 is the answer about the one evaluation sent; an error about it is an exception,
    # read through `resource_error_codes`.
    return BatchDeleteOutcome(accepted=list(sent))


BATCH_EVALUATIONS = Kind(
    name="batchEvaluations",
    noun="batch evaluation",
    service="bedrock-agentcore",
    since_botocore="1.43.0",
    finished_statuses=frozenset({"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "STOPPED"}),
    unfinished_statuses=frozenset({"PENDING", "IN_PROGRESS", "STOPPING", "DELETING"}),
    arn_pattern=re.compile(
        rf"^arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]{{1,20}}:[0-9]{{12}}:[a-z-]+/{_ID}$"
    ),
    # The resource type AgentCore's guide names in its IAM example (arn:...:batch-evaluate/*).
    arn_resource_type="batch-evaluate",
    list_operation="ListBatchEvaluations",
    get_operation="GetBatchEvaluation",
    tags_operation=None,
    delete_operation="DeleteBatchEvaluation",
    delete_batch_size=1,
    list_query=_list_query,
    list_order=LIST_UNORDERED,
    summaries_key="batchEvaluations",
    from_summary=_from_summary,
    get_request=lambda arn: {"batchEvaluationId": _identifier(arn)},
    tags_request=lambda arn: {},
    read_tags=lambda response: {},
    delete_request=_delete_request,
    read_delete_answer=_read_delete_answer,
    resource_error_codes={
        "ResourceNotFoundException": RESOURCE_GONE,
        "ConflictException": RESOURCE_NOT_FINISHED,
    },
)
