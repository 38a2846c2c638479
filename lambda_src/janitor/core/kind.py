"""What differs between kinds of Bedrock evaluation leftover, as one declaration per kind
(janitor.kinds): everything else (the run, the cap, the deadline, the reports) is written once.

Pure: the declaration maps plain requests and answers; janitor.aws.bedrock makes the calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from janitor.core.job_store import BatchDeleteOutcome
from janitor.core.selection import Leftover

#: Never a valid creation time: a summary without a parseable one is classed as malformed.
NO_TIME = datetime.min


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of leftover: how it is listed, judged, named and deleted, and what IAM allows."""

    #: The name in settings, summaries, metrics and reports (`evaluationJobs`).
    name: str
    #: How a person calls one (`evaluation job`).
    noun: str
    #: The boto3 client and the IAM service prefix (`bedrock`).
    service: str
    #: The first botocore release with the kind's delete call (an older one is refused at cold start).
    since_botocore: str
    #: The states a resource may be deleted in; only these are ever candidates.
    finished_statuses: frozenset[str]
    #: The other states the API documents; any state outside both is treated as malformed.
    unfinished_statuses: frozenset[str]
    #: The identifier the delete call accepts; anything else is never sent.
    arn_pattern: re.Pattern[str]
    #: The ARN's resource type (`evaluation-job`), for IAM's resource ARNs.
    arn_resource_type: str
    list_operation: str
    get_operation: str
    #: The per-resource tag read (tagLookup=perJob, and confirming an IAM refusal).
    tags_operation: str
    delete_operation: str
    #: Resources per delete call: above 1 a batch with per-item errors, 1 a call each.
    delete_batch_size: int
    #: The list call's parameters: server-side filters where the API has them, oldest first.
    list_query: Callable[[datetime, str | None], dict[str, Any]]
    #: The key of the answer's list of summaries.
    summaries_key: str
    #: One summary (or a get call's answer) as the policy reads it.
    from_summary: Callable[[Mapping[str, Any]], Leftover]
    #: The get call's parameters for one identifier.
    get_request: Callable[[str], dict[str, Any]]
    #: The tag read's parameters for one ARN, and its answer as key -> value.
    tags_request: Callable[[str], dict[str, Any]]
    read_tags: Callable[[Mapping[str, Any]], dict[str, str]]
    #: The delete call's parameters for these identifiers.
    delete_request: Callable[[Sequence[str]], dict[str, Any]]
    #: The delete call's answer, item by item.
    read_delete_answer: Callable[[Mapping[str, Any]], BatchDeleteOutcome]

    @property
    def known_statuses(self) -> frozenset[str]:
        return self.finished_statuses | self.unfinished_statuses

    def iam_action(self, operation: str) -> str:
        return f"{self.service}:{operation}"
