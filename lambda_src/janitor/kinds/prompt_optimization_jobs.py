"""Bedrock's advanced prompt optimization jobs (`CreateAdvancedPromptOptimizationJob`).

Listed oldest first (the list has no time filter, so the listing stops at the first job too
recent), tags read with tag:GetResources or bedrock:ListTagsForResource, deleted 25 a call with
per-item errors read like evaluation jobs'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from janitor.core.kind import LIST_SORTED, NO_TIME, Kind, batch_delete_answer
from janitor.core.selection import Leftover

#: The largest page ListAdvancedPromptOptimizationJobs serves.
LIST_PAGE_SIZE = 1000


def _list_query(created_before: datetime, application_type: str | None) -> dict[str, Any]:
    # No server-side time filter: the run stops reading at the first job created after the cutoff.
    return {"sortBy": "CreationTime", "sortOrder": "Ascending", "maxResults": LIST_PAGE_SIZE}


def _from_summary(summary: Mapping[str, Any]) -> Leftover:
    created = summary.get("creationTime")
    return Leftover(
        arn=str(summary.get("jobArn", "")),
        name=str(summary.get("jobName", "")),
        status=str(summary.get("jobStatus", "")),
        creation_time=created if isinstance(created, datetime) else NO_TIME,
        application_type=None,
    )


PROMPT_OPTIMIZATION_JOBS = Kind(
    name="promptOptimizationJobs",
    noun="prompt optimization job",
    service="bedrock",
    since_botocore="1.43.8",
    finished_statuses=frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped"}),
    unfinished_statuses=frozenset({"InProgress", "Stopping", "Deleting"}),
    # The ARN form of BatchDeleteAdvancedPromptOptimizationJob's identifier pattern: the ARN is
    # what tag:GetResources and the reports name, and the batch delete accepts it.
    arn_pattern=re.compile(
        r"^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:advanced-prompt-optimization-job/[a-z0-9]{12}$"
    ),
    arn_resource_type="advanced-prompt-optimization-job",
    list_operation="ListAdvancedPromptOptimizationJobs",
    get_operation="GetAdvancedPromptOptimizationJob",
    tags_operation="ListTagsForResource",
    delete_operation="BatchDeleteAdvancedPromptOptimizationJob",
    delete_batch_size=25,
    list_query=_list_query,
    list_order=LIST_SORTED,
    summaries_key="jobSummaries",
    from_summary=_from_summary,
    get_request=lambda arn: {"jobIdentifier": arn},
    tags_request=lambda arn: {"resourceARN": arn},
    read_tags=lambda response: {tag["key"]: tag["value"] for tag in response.get("tags", [])},
    delete_request=lambda arns: {"jobIdentifiers": list(arns)},
    read_delete_answer=batch_delete_answer("advancedPromptOptimizationJobs"),
)
