"""Bedrock's model and RAG evaluation jobs (`CreateEvaluationJob`), the first kind."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from janitor.core.kind import LIST_FILTERED, NO_TIME, Kind, batch_delete_answer
from janitor.core.selection import Leftover

#: BatchDeleteEvaluationJob accepts jobs only in these states.
FINISHED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
APPLICATION_TYPES = frozenset({"ModelEvaluation", "RagEvaluation"})
#: The largest page ListEvaluationJobs serves: fewest list calls.
LIST_PAGE_SIZE = 1000


def _list_query(created_before: datetime, application_type: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "creationTimeBefore": created_before,
        "sortBy": "CreationTime",
        "sortOrder": "Ascending",
        "maxResults": LIST_PAGE_SIZE,
    }
    if application_type is not None:
        query["applicationTypeEquals"] = application_type
    return query


def _from_summary(summary: Mapping[str, Any]) -> Leftover:
    created = summary.get("creationTime")
    return Leftover(
        arn=str(summary.get("jobArn", "")),
        name=str(summary.get("jobName", "")),
        status=str(summary.get("status", "")),
        creation_time=created if isinstance(created, datetime) else NO_TIME,
        application_type=str(summary.get("applicationType", "ModelEvaluation")),
    )


def _get_request(arn: str) -> dict[str, Any]:
    return {"jobIdentifier": arn}


def _tags_request(arn: str) -> dict[str, Any]:
    return {"resourceARN": arn}


def _read_tags(response: Mapping[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in response.get("tags", [])}


def _delete_request(arns: Sequence[str]) -> dict[str, Any]:
    return {"jobIdentifiers": list(arns)}


EVALUATION_JOBS = Kind(
    name="evaluationJobs",
    noun="evaluation job",
    service="bedrock",
    since_botocore="1.35.4",
    finished_statuses=FINISHED_STATUSES,
    unfinished_statuses=frozenset({"InProgress", "Stopping", "Deleting"}),
    # The pattern of BatchDeleteEvaluationJob's model.
    arn_pattern=re.compile(
        r"^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:evaluation-job/[a-z0-9]{12}$"
    ),
    arn_resource_type="evaluation-job",
    list_operation="ListEvaluationJobs",
    get_operation="GetEvaluationJob",
    tags_operation="ListTagsForResource",
    delete_operation="BatchDeleteEvaluationJob",
    delete_batch_size=25,
    list_query=_list_query,
    list_order=LIST_FILTERED,
    summaries_key="jobSummaries",
    from_summary=_from_summary,
    get_request=_get_request,
    tags_request=_tags_request,
    read_tags=_read_tags,
    delete_request=_delete_request,
    read_delete_answer=batch_delete_answer("evaluationJobs"),
    # bedrock:BatchDeleteEvaluationJob supports aws:ResourceTag/${TagKey} (Service Authorization Reference).
    retain_tag_deny=True,
    has_outputs=True,
)
