"""The Resource Groups Tagging API's GetResources over the emulator's jobs (JSON 1.1).

It serves every kind's ARNs alike (evaluation jobs, advanced prompt optimization jobs, AgentCore
batch evaluations): one tag index per account and Region holds all of them.

It answers from the tag index (emulator/tag_index.py), which may lag Bedrock's own view of the
tags. What AWS documents (GetResources in botocore's resourcegroupstaggingapi model) and what the
emulator chose where it does not:

- ``ResourceARNList`` (1-100 ARNs) cannot be combined with ``TagFilters``,
  ``ResourceTypeFilters`` or the pagination parameters (``ResourcesPerPage``, ``TagsPerPage``,
  ``PaginationToken``): InvalidParameterException. Here a parameter counts as given when it has
  a value: a non-empty list, a non-empty token ("leave this parameter empty in your initial
  request"), a number. An ARN that does not exist "simply isn't included in the response", nor
  is one never tagged ("GetResources does not return untagged resources"); one tagged before and
  untagged since comes back with ``"Tags": []``. A string that is not an ARN at all is refused
  with AWS's message, "<arn> is not a valid AmazonResourceName (ARN)" (aws/aws-cli#8109). The
  answer lists each ARN once, in the order asked, as the recorded answer below does.
- ``TagFilters``: all filters must match; a filter's values are alternatives; no values means
  any value. ``ResourceTypeFilters``: ``service[:resourceType]`` as in the ARN (``bedrock``,
  ``bedrock:evaluation-job``).
- Pages: ``ResourcesPerPage`` 1-100 (the emulator's default, undocumented, is 50) and
  ``TagsPerPage`` 100-500 (applied only when given; an untagged resource counts as one tag; a
  resource is never split). Resources come in ARN order and the token is a cursor on the ARN:
  padded base64 of ``{"a": last ARN, "t": issued (epoch s), "v": 1}``, valid 15 minutes
  (then PaginationTokenExpiredException, as documented). The last page, and every ARN-list
  answer, carry ``"PaginationToken": ""``, as Cloud Custodian's recording from a real account
  shows (tests/data/placebo/bedrock_evaluation_job/tagging.GetResources_1.json of
  cloud-custodian/cloud-custodian); botocore's paginator stops on the empty string.
- ``IncludeComplianceDetails`` (tag policies) is not emulated and is refused.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.contract import (
    ARN_LIST_RANGE,
    MAX_ARN_LENGTH,
    MAX_RESOURCE_TYPE_FILTERS,
    MAX_RESOURCE_TYPE_LENGTH,
    MAX_TAG_FILTER_VALUES,
    MAX_TAG_FILTERS,
    MAX_TOKEN_LENGTH,
    PAGINATION_TOKEN_LIFETIME_SECONDS,
    RESOURCES_PER_PAGE_RANGE,
    TAGGING_ERROR_STATUS,
    TAGGING_KEY_LENGTH,
    TAGGING_VALUE_LENGTH,
    TAGS_PER_PAGE_RANGE,
)
from emulator.state import EmulatorState
from emulator.tag_index import TagIndex
from emulator.wire import JSON, ApiError

DEFAULT_RESOURCES_PER_PAGE = 50
TOKEN_VERSION = 1
# arn:partition:service:region:account:resource; region and account may be empty (S3, IAM).
_ARN_RE = re.compile(r"arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+")


def tagging_error(code: str, message: str) -> ApiError:
    return ApiError(code, message, TAGGING_ERROR_STATUS[code])


def _invalid(member: str, constraint: str) -> ApiError:
    return tagging_error(
        "InvalidParameterException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}",
    )


def _strings(data: Mapping[str, Any], member: str, most: int, length: tuple[int, int]) -> list[str] | None:
    value = data.get(member)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(member, "Member must be a list of strings")
    if len(value) > most:
        raise _invalid(member, f"Member must have length less than or equal to {most}")
    for v in value:
        if not length[0] <= len(v) <= length[1]:
            raise _invalid(f"{member}.member", f"Member must have length between {length[0]} and {length[1]}")
    return value


def _number(data: Mapping[str, Any], member: str, bounds: tuple[int, int]) -> int | None:
    value = data.get(member)
    if value is None:
        return None
    if type(value) is not int:  # not bool, which is an int subclass
        raise _invalid(member, "Member must be an integer")
    if not bounds[0] <= value <= bounds[1]:
        raise _invalid(member, f"Member must have value between {bounds[0]} and {bounds[1]}, inclusive")
    return value


def _tag_filters(data: Mapping[str, Any]) -> list[tuple[str, frozenset[str]]]:
    value = data.get("TagFilters")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise _invalid("TagFilters", "Member must be a list of structures")
    if len(value) > MAX_TAG_FILTERS:
        raise _invalid("TagFilters", f"Member must have length less than or equal to {MAX_TAG_FILTERS}")
    filters = []
    for f in value:
        key = f.get("Key")
        lo, hi = TAGGING_KEY_LENGTH
        if not isinstance(key, str) or not lo <= len(key) <= hi:
            raise _invalid("TagFilters.member.Key", f"Member must have length between {lo} and {hi}")
        values = _strings(f, "Values", MAX_TAG_FILTER_VALUES, TAGGING_VALUE_LENGTH) or []
        filters.append((key, frozenset(values)))
    return filters


def encode_page_token(last_arn: str, issued: float) -> str:
    payload = {"a": last_arn, "t": int(issued), "v": TOKEN_VERSION}
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def _decode_page_token(token: str) -> str:
    invalid = tagging_error("InvalidParameterException", "The specified PaginationToken is not valid.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise invalid
    try:
        payload = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise invalid from None
    if not (
        isinstance(payload, dict)
        and payload.get("v") == TOKEN_VERSION
        and isinstance(payload.get("a"), str)
        and type(payload.get("t")) is int
    ):
        raise invalid
    if time.time() - payload["t"] > PAGINATION_TOKEN_LIFETIME_SECONDS:
        raise tagging_error("PaginationTokenExpiredException", "The specified PaginationToken has expired.")
    return str(payload["a"])


@dataclass(frozen=True)
class GetResourcesQuery:
    arns: list[str] | None
    tag_filters: list[tuple[str, frozenset[str]]]
    type_filters: list[str]
    per_page: int
    tags_per_page: int | None
    cursor: str | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> GetResourcesQuery:
        arns = _strings(data, "ResourceARNList", ARN_LIST_RANGE[1], (1, MAX_ARN_LENGTH))
        if arns is not None and len(arns) < ARN_LIST_RANGE[0]:
            raise _invalid(
                "ResourceARNList", f"Member must have length greater than or equal to {ARN_LIST_RANGE[0]}"
            )
        for arn in arns or ():
            if not _ARN_RE.fullmatch(arn):
                raise tagging_error(
                    "InvalidParameterException", f"{arn} is not a valid AmazonResourceName (ARN)"
                )
        tag_filters = _tag_filters(data)
        type_filters = _strings(
            data, "ResourceTypeFilters", MAX_RESOURCE_TYPE_FILTERS, (0, MAX_RESOURCE_TYPE_LENGTH)
        )
        per_page = _number(data, "ResourcesPerPage", RESOURCES_PER_PAGE_RANGE)
        tags_per_page = _number(data, "TagsPerPage", TAGS_PER_PAGE_RANGE)
        token = data.get("PaginationToken")
        if token is not None and not isinstance(token, str):
            raise _invalid("PaginationToken", "Member must be a string")
        if data.get("IncludeComplianceDetails") is True:
            raise tagging_error(
                "InvalidParameterException",
                "The emulator does not evaluate tag policies: IncludeComplianceDetails is not supported.",
            )
        if data.get("ExcludeCompliantResources") is True:
            raise tagging_error(
                "InvalidParameterException",
                "ExcludeCompliantResources can be used only if IncludeComplianceDetails is true.",
            )
        if arns is not None:
            given = {
                "TagFilters": tag_filters,
                "ResourceTypeFilters": type_filters,
                "ResourcesPerPage": per_page is not None,
                "TagsPerPage": tags_per_page is not None,
                "PaginationToken": token,
            }
            for member, value in given.items():
                if value:
                    raise tagging_error(
                        "InvalidParameterException",
                        f"ResourceARNList cannot be specified together with {member}.",
                    )
        return cls(
            arns=arns,
            tag_filters=tag_filters,
            type_filters=type_filters or [],
            per_page=per_page or DEFAULT_RESOURCES_PER_PAGE,
            tags_per_page=tags_per_page,
            cursor=_decode_page_token(token) if token else None,
        )

    def matches(self, arn: str, tags: Mapping[str, str]) -> bool:
        if self.type_filters:
            _, _, service, _, _, resource = arn.split(":", 5)
            kind = f"{service}:{re.split('[/:]', resource, maxsplit=1)[0]}"
            if not any(f in (service, kind) for f in self.type_filters):
                return False
        return all(key in tags and (not values or tags[key] in values) for key, values in self.tag_filters)


def _mapping(arn: str, tags: Mapping[str, str]) -> dict[str, Any]:
    # Tags in the order the job holds them (the order they were set), not sorted: the recorded
    # answer lists Owner before Environment.
    return {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


def _page(index: TagIndex, query: GetResourcesQuery, now: float) -> tuple[list[dict[str, Any]], str | None]:
    """One page of matches and the ARN to continue after, or None on the last page."""
    page: list[dict[str, Any]] = []
    tag_count = 0
    for arn in index.arns_after(query.cursor):
        tags = index.visible(arn, now)
        if tags is None or not query.matches(arn, tags):
            continue
        cost = max(1, len(tags))
        full = len(page) == query.per_page or (
            query.tags_per_page is not None and tag_count + cost > query.tags_per_page
        )
        if page and full:
            # One match past a full page proves there is a next one: the last page has no token.
            return page, page[-1]["ResourceARN"]
        page.append(_mapping(arn, tags))
        tag_count += cost
    return page, None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        # What JSON services answer for a body they cannot read.
        raise ApiError(
            "SerializationException", "Request body is not a JSON object.", 400, "com.amazon.coral.service"
        )
    return data


def get_resources(state: EmulatorState, body: bytes) -> str:
    query = GetResourcesQuery.parse(_json_object(body))
    now = time.monotonic()
    with state.lock:
        # Every kind's resources that vanished leave the index (after its lag) from here.
        state.stores.purge()
        index = state.stores.tag_index
        if query.arns is not None:
            found = ((arn, index.visible(arn, now)) for arn in dict.fromkeys(query.arns))
            mappings = [_mapping(arn, tags) for arn, tags in found if tags is not None]
            return JSON.encode({"PaginationToken": "", "ResourceTagMappingList": mappings})
        page, resume_after = _page(index, query, now)
    token = "" if resume_after is None else encode_page_token(resume_after, time.time())
    return JSON.encode({"PaginationToken": token, "ResourceTagMappingList": page})
