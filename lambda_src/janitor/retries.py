"""The SDK retry policy shared by the Bedrock and SNS clients."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

#: Attempts per call, the first included. Standard mode backs off with jitter (up to 20 s) on
#: throttling and 5xx, so 8 attempts ride out about a minute of trouble.
DEFAULT_TOTAL_ATTEMPTS = 8


def standard_retries(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Standard retry mode; the SDK's own AWS_MAX_ATTEMPTS variable wins over our default."""
    retries: dict[str, Any] = {"mode": "standard"}
    if "AWS_MAX_ATTEMPTS" not in environ:
        retries["total_max_attempts"] = DEFAULT_TOTAL_ATTEMPTS
    return retries
