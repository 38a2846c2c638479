"""ListEvaluationJobs' nextToken: base64 of a JSON object, the form AWS's tokens usually take.

AWS publishes no format for Bedrock's nextToken (the model says only: a string of 1-2,048
non-blank characters), and callers must treat it as opaque. Many AWS services hand out standard,
padded base64 of a JSON object, e.g. App Runner's documented ListServicesForAutoScalingConfiguration
response ("eyJBdXRvU2NhbGluZ0NvbmZpZ3VyYXRpb25Bcm4iOi...fQ==",
https://docs.aws.amazon.com/apprunner/latest/api/API_ListServicesForAutoScalingConfiguration.html).
That form matters to clients: botocore's paginator tries to decode a ``StartingToken`` exactly
that way (botocore/paginate.py, TokenDecoder), so a service token passed to it as a
StartingToken decodes into unknown request parameters instead of being sent back as nextToken.

The object holds a cursor, not an offset: the last (creationTime µs, jobArn) returned, so that
jobs deleted between pages neither shift a page (skipping jobs) nor repeat one.
"""

from __future__ import annotations

import base64
import json
import re

from emulator.contract import JOB_ARN_RE, MAX_TOKEN_LENGTH
from emulator.wire import ApiError

TOKEN_VERSION = 1
_ORDER = {True: "D", False: "A"}


def encode_token(key: tuple[int, str], descending: bool) -> str:
    payload = {"k": [key[0], key[1]], "o": _ORDER[descending], "v": TOKEN_VERSION}
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def _invalid_token() -> ApiError:
    return ApiError("ValidationException", "The nextToken is invalid or expired.")


def decode_token(token: str, descending: bool, arn_re: re.Pattern[str] = JOB_ARN_RE) -> tuple[int, str]:
    """The cursor in `token`; ValidationException for anything this emulator did not issue.

    Every kind listed in key order uses this form; `arn_re` is the ARN of the kind it lists."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid_token()
    try:
        payload = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise _invalid_token() from None
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise _invalid_token()
    key, order = payload.get("k"), payload.get("o")
    if not (
        isinstance(key, list)
        and len(key) == 2
        and type(key[0]) is int  # not bool, which json also decodes into an int subclass
        and isinstance(key[1], str)
        and arn_re.fullmatch(key[1]) is not None
        and order in _ORDER.values()
    ):
        raise _invalid_token()
    if order != _ORDER[descending]:
        raise ApiError("ValidationException", "The nextToken was issued for a different sortOrder.")
    return (key[0], key[1])
