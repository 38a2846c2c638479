"""One table of error codes serves every layer, and agrees with botocore's own lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.retries import standard

from janitor.aws.pacing import is_throttle
from janitor.core.error_codes import TREATMENTS, Treatment, treatment_of
from janitor.core.systemic import ConsecutiveFailures, SystemicError


def botocore_list(checker: str, name: str) -> list[Any]:
    """A list of botocore's standard retry mode (the janitor's), as the installed botocore has
    it: a private class constant, so read by name (its type stubs do not declare it)."""
    return list(vars(vars(standard)[checker])[name])


BOTOCORE_THROTTLES: list[str] = botocore_list("ThrottledRetryableChecker", "_THROTTLED_ERROR_CODES")
BOTOCORE_TRANSIENT_CODES: list[str] = botocore_list("TransientRetryableChecker", "_TRANSIENT_ERROR_CODES")
BOTOCORE_TRANSIENT_STATUSES: list[int] = botocore_list("TransientRetryableChecker", "_TRANSIENT_STATUS_CODES")
BOTOCORE_THROTTLE_STATUSES: list[int] = botocore_list(
    "ThrottlingStatusCodeChecker", "_THROTTLING_STATUS_CODES"
)


def legacy_retry_conditions() -> list[tuple[str, int]]:
    """(code, HTTP status) of every general condition in botocore/data/_retry.json ("" when a
    condition names a status alone); its socket errors are exceptions, not codes."""
    path = Path(botocore.__file__).parent / "data" / "_retry.json"
    definitions = json.loads(path.read_text())["definitions"]
    responses = [
        d["applies_when"]["response"] for d in definitions.values() if "response" in d["applies_when"]
    ]
    return [(r.get("service_error_code", ""), r["http_status_code"]) for r in responses]


@dataclass
class HttpResponse:
    status_code: int


def paced(code: str, status: int = 400) -> bool:
    """Whether the pacer (janitor.aws.pacing) takes a reply with `code` and `status` for a throttle."""
    return is_throttle((HttpResponse(status), {"Error": {"Code": code, "Message": "x"}}))


def counts_toward_stop(code: str) -> bool:
    """Whether the systemic watch counts a call failing with `code` (a threshold of one call)."""
    return ConsecutiveFailures(threshold=1).failed("Op", code, "x") is not None


def test_botocores_lists_are_where_the_test_reads_them() -> None:
    assert "ThrottlingException" in BOTOCORE_THROTTLES
    assert "RequestTimeout" in BOTOCORE_TRANSIENT_CODES
    assert 503 in BOTOCORE_TRANSIENT_STATUSES
    assert BOTOCORE_THROTTLE_STATUSES == [429]
    assert ("ThrottlingException", 400) in legacy_retry_conditions()


@pytest.mark.parametrize("code", BOTOCORE_THROTTLES)
def test_every_botocore_throttle_is_paced_retried_and_never_counted(code: str) -> None:
    assert treatment_of(code) is Treatment.THROTTLE
    assert paced(code), "the pacer slows the operation down"
    assert treatment_of(code).retried, "the run's retry rounds send it again"
    assert not counts_toward_stop(code), "the systemic watch ignores it"


@pytest.mark.parametrize("code", BOTOCORE_TRANSIENT_CODES)
def test_every_botocore_transient_code_is_retried_and_never_counted(code: str) -> None:
    assert treatment_of(code).retried
    assert not counts_toward_stop(code)


@pytest.mark.parametrize("status", BOTOCORE_TRANSIENT_STATUSES + BOTOCORE_THROTTLE_STATUSES)
def test_an_unknown_code_on_a_status_botocore_retries_is_retried_and_never_counted(status: int) -> None:
    expected = Treatment.THROTTLE if status in BOTOCORE_THROTTLE_STATUSES else Treatment.TRANSIENT
    assert treatment_of("SomethingNewException", status) is expected
    # Bedrock's per-item error codes are HTTP statuses.
    assert treatment_of(str(status)) is expected
    assert not counts_toward_stop(str(status))
    assert paced("SomethingNewException", status) is (expected is Treatment.THROTTLE)


@pytest.mark.parametrize(("code", "status"), legacy_retry_conditions())
def test_every_condition_of_botocores_legacy_retry_file_is_retried(code: str, status: int) -> None:
    assert treatment_of(code, status).retried


def test_request_limit_exceeded_is_retried_and_never_counted_as_it_is_paced() -> None:
    # It was paced as a throttle, yet never retried and counted toward the systemic stop.
    assert paced("RequestLimitExceeded", 503)
    assert treatment_of("RequestLimitExceeded").retried
    assert not counts_toward_stop("RequestLimitExceeded")


@pytest.mark.parametrize(
    "code",
    ["AccessDeniedException", "403", "UnrecognizedClientException", "ExpiredToken", "InvalidClientTokenId"],
)
def test_refusals_of_the_caller_are_systemic_never_retried_and_counted(code: str) -> None:
    assert treatment_of(code) is Treatment.SYSTEMIC
    assert not treatment_of(code).retried
    assert counts_toward_stop(code)
    assert not paced(code, 403)


@pytest.mark.parametrize("code", ["ValidationException", "409", "404", "ConflictException", "SSLError"])
def test_anything_else_fails_its_job_is_never_retried_and_counts(code: str) -> None:
    assert treatment_of(code) is Treatment.PER_ITEM
    assert not treatment_of(code).retried
    assert counts_toward_stop(code)


def test_a_429_is_a_throttle_whatever_its_code_and_an_unknown_4xx_is_per_item() -> None:
    assert treatment_of("ServiceQuotaExceededException", 429) is Treatment.THROTTLE
    assert paced("", 429)
    assert treatment_of("SomethingNewException", 400) is Treatment.PER_ITEM
    assert treatment_of("SomethingNewException", 401) is Treatment.SYSTEMIC
    assert treatment_of("SomethingNewException") is Treatment.PER_ITEM
    assert not paced("", 200), "an answer is no throttle"


def test_the_tables_throttles_are_exactly_botocores() -> None:
    assert {code for code, treatment in TREATMENTS.items() if treatment.paced} == set(BOTOCORE_THROTTLES)
    assert not paced("ServiceUnavailableException", 503)


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("AccessDeniedException", "Allow bedrock:Op"),
        ("403", "Allow bedrock:Op"),
        ("ExpiredTokenException", "credentials were refused"),
        ("UnrecognizedClientException", "credentials were refused"),
        ("ValidationException", "Read the error above"),
    ],
)
def test_a_systemic_stop_advises_by_the_codes_treatment(code: str, advice: str) -> None:
    assert advice in SystemicError("Op", code, "x", 10).advice()
