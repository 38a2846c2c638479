"""Every error code's treatment, in one table read by the pacer, the retry rounds and the systemic watch.

A THROTTLE is paced (janitor.aws.pacing) and retried (in the run's rounds, after botocore's attempts),
a TRANSIENT failure is retried, and neither ever counts toward the systemic stop
(janitor.core.systemic). Every other code is never retried and counts: SYSTEMIC marks the refusals of
the caller itself (permissions, credentials), whose stop says what to fix, and PER_ITEM the rest
(a job gone, in conflict, malformed). A 429 is a throttle whatever its code; a code not in the
table is judged by its HTTP status, or by itself when it is one (Bedrock's per-item codes are):
5xx transient, 401/403 systemic, other per item. The throttles are botocore's own, and all its
transient codes are retried (tests/unit/test_error_codes.py walks both of its lists).
"""

from __future__ import annotations

from enum import Enum


class Treatment(Enum):
    THROTTLE = "throttle"
    TRANSIENT = "transient"
    SYSTEMIC = "systemic"
    PER_ITEM = "perItem"

    @property
    def paced(self) -> bool:
        return self is Treatment.THROTTLE

    @property
    def retried(self) -> bool:
        """Sent again in the run's retry rounds (after the SDK's own attempts)."""
        return self in (Treatment.THROTTLE, Treatment.TRANSIENT)

    @property
    def counts_toward_stop(self) -> bool:
        return not self.retried


def _all(treatment: Treatment, *codes: str) -> dict[str, Treatment]:
    return dict.fromkeys(codes, treatment)


TREATMENTS: dict[str, Treatment] = {
    # botocore.retries.standard.ThrottledRetryableChecker's list, as it stands in botocore 1.44
    # (ThrottledException is the Resource Groups Tagging API's throttle).
    **_all(
        Treatment.THROTTLE,
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ),
    **_all(
        Treatment.TRANSIENT,
        # botocore's transient codes (PriorRequestNotComplete, in both its lists, is a throttle).
        "RequestTimeout",
        "RequestTimeoutException",
        # Server faults by name (the tagging API's is InternalServiceException).
        "InternalServerException",
        "InternalServiceException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        # Bedrock: "The number of requests exceeds the service quota. Resubmit your request later."
        "ServiceQuotaExceededException",
        # No reply at all (the names of botocore's exceptions, janitor.aws.worker_clients.call_error).
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    ),
    **_all(
        Treatment.SYSTEMIC,
        # Permissions: the role, an SCP or a permission boundary.
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        # Credentials: missing, expired, unknown or badly signed.
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "AuthFailure",
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
    ),
}


def treatment_of(code: str, http_status: int | None = None) -> Treatment:
    """`code`'s treatment; for a code not in TREATMENTS, its HTTP status's (see the module doc)."""
    if http_status is None and code.isdecimal():
        http_status = int(code)
    if http_status == 429:
        return Treatment.THROTTLE
    known = TREATMENTS.get(code)
    if known is not None:
        return known
    if http_status is not None and http_status >= 500:
        return Treatment.TRANSIENT
    if http_status in (401, 403):
        return Treatment.SYSTEMIC
    return Treatment.PER_ITEM


#: A target's Region refused as a whole, and why: not a failure of the run, a fact of the account.
REGION_NOT_ENABLED = "regionNotEnabled"
DENIED_BY_SCP = "deniedByServiceControlPolicy"


def unavailable_region_reason(code: str, message: str) -> str | None:
    """Why a Region answered a target's first call with a refusal of the target as a whole, or
    None when the refusal is something to fix (the role, the credentials).

    Only for a Region the credentials were not made in (the function's own Region is enabled):
    there AWS answers credentials that are fine elsewhere with UnrecognizedClientException ("The
    security token included in the request is invalid") when the account has not enabled the
    opt-in Region, and with AccessDenied "... explicit deny in a service control policy" when an
    SCP denies it (aws:RequestedRegion).
    """
    if code in ("UnrecognizedClientException", "InvalidClientTokenId"):
        return REGION_NOT_ENABLED
    if code.startswith("AccessDenied") and "service control policy" in message.lower():
        return DENIED_BY_SCP
    return None
