"""The value types settings are declared with: text as the environment and context hold it,
parsed into what the run uses, each refusal saying what the setting accepts."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

#: An AWS Region name: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5.
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"
#: An IAM role name (IAM's own pattern and length).
ROLE_NAME_PATTERN = r"^[\w+=,.@-]{1,64}$"
#: An organization's root id or an organizational unit's id (Organizations' own patterns).
PARENT_ID_PATTERN = r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"
ACCOUNT_ID_PATTERN = r"^\d{12}$"
#: An S3 bucket name (S3's rules for general purpose buckets, less the rarely used dots).
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(",") if part.strip())
    return value


def _parse_bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        raise ValueError("must be 'true' or 'false'")
    return value


def _each_matching(pattern: str, what: str) -> AfterValidator:
    """Every member of a comma-separated set must match `pattern`; the message names the rest."""
    compiled = re.compile(pattern)

    def check(values: frozenset[str]) -> frozenset[str]:
        bad = sorted(value for value in values if not compiled.match(value))
        if bad:
            raise ValueError(f"{', '.join(bad)} is not {what}")
        return values

    return AfterValidator(check)


CsvSet = Annotated[frozenset[str], BeforeValidator(_split_csv)]


RegionSet = Annotated[CsvSet, _each_matching(REGION_PATTERN, "a Region name such as us-east-1")]
ParentIdSet = Annotated[
    CsvSet, _each_matching(PARENT_ID_PATTERN, "a root id (r-...) or an OU id (ou-...-...)")
]
AccountIdSet = Annotated[CsvSet, _each_matching(ACCOUNT_ID_PATTERN, "a 12-digit account id")]
StrictBoolText = Annotated[bool, BeforeValidator(_parse_bool)]
BucketSet = Annotated[CsvSet, _each_matching(BUCKET_PATTERN, "an S3 bucket name")]
#: A number of days; a setting and the invocation override of the same name share it.
Days = Annotated[int, Field(ge=1, le=36500)]
#: A number of deletions.
Deletions = Annotated[int, Field(ge=1, le=1_000_000)]
