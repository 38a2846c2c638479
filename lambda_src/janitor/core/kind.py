"""What differs between kinds of Bedrock evaluation leftover, as one declaration per kind
(janitor.kinds): everything else (the run, the cap, the deadline, the reports) is written once.

Pure: the declaration maps plain requests and answers; janitor.aws.bedrock makes the calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from janitor.core.job_store import BatchDeleteOutcome
from janitor.core.report import FailedJob
from janitor.core.selection import Leftover

LIST_FILTERED = "filtered"
LIST_SORTED = "sorted"
LIST_UNORDERED = "unordered"
RESOURCE_GONE = "gone"
RESOURCE_NOT_FINISHED = "notFinished"

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
    #: The per-resource tag read (tagLookup=perJob, and confirming an IAM refusal); None for a
    #: service without one, whose tags are read only with tag:GetResources.
    tags_operation: str | None
    delete_operation: str
    #: Resources per delete call: above 1 a batch with per-item errors, 1 a call each.
    delete_batch_size: int
    #: The list call's parameters: server-side filters where the API has them, oldest first.
    list_query: Callable[[datetime, str | None], dict[str, Any]]
    #: How the list call orders and filters: `filtered` (the service drops what is too recent
    #: and sorts oldest first), `sorted` (oldest first, no time filter: the listing stops at the
    #: first resource too recent) or `unordered` (every page is read, then sorted here).
    list_order: str
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
    #: The delete call's answer for the resources sent (their ARNs), item by item.
    read_delete_answer: Callable[[Mapping[str, Any], Sequence[str]], BatchDeleteOutcome]
    #: A one-call kind's error codes that are about the resource, not the call: `gone` (someone
    #: else deleted it) or `notFinished` (the service says it is still running).
    resource_error_codes: Mapping[str, str] = field(default_factory=dict)
    #: IAM documents `aws:ResourceTag` for the delete action, so the role carries a Deny on the
    #: retain tag; otherwise only the code's own check protects (docs/safety.md).
    retain_tag_deny: bool = False
    #: Where the resource keeps outputs the janitor may delete with it (deleteOutputs).
    has_outputs: bool = False

    @property
    def known_statuses(self) -> frozenset[str]:
        return self.finished_statuses | self.unfinished_statuses

    @property
    def plural(self) -> str:
        return f"{self.noun}s"

    def iam_action(self, operation: str) -> str:
        return f"{self.service}:{operation}"


def batch_delete_answer(
    accepted_key: str,
) -> Callable[[Mapping[str, Any], Sequence[str]], BatchDeleteOutcome]:
    """How a Bedrock batch delete answers: accepted items under `accepted_key`, each refusal in
    `errors` as {jobIdentifier, code, message}."""

    def read(response: Mapping[str, Any], sent: Sequence[str]) -> BatchDeleteOutcome:
        return BatchDeleteOutcome(
            accepted=[item["jobIdentifier"] for item in response.get(accepted_key, [])],
            errors=[
                FailedJob(item.get("jobIdentifier", ""), item.get("code", "Unknown"), item.get("message", ""))
                for item in response.get("errors", [])
            ],
        )

    return read
