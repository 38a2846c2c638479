"""How each API the emulator serves words the same refusals: throttled, failed, denied.

Fault injection, denied operations and quotas are configured per operation name; the error a
client sees must still be its own service's: Bedrock (rest-json) throttles with 429
ThrottlingException, the Resource Groups Tagging API (JSON 1.1) with 400 ThrottledException.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from emulator.contract import TAGGING_OPERATIONS
from emulator.iam import SERVICE_CONTROL_POLICY, explicit_deny_message
from emulator.kinds.contract import AGENTCORE_SIGNING_NAME, BATCH_EVALUATION_OPERATIONS
from emulator.wire import ApiError


@dataclass(frozen=True)
class Dialect:
    #: The IAM action prefix: bedrock:ListEvaluationJobs, tag:GetResources.
    iam_prefix: str
    throttled_code: str
    throttled_status: int
    throttled_message: str
    server_error_code: str
    #: AccessDeniedException's status, and the namespace its JSON 1.1 ``__type`` carries.
    denied_status: int
    denied_namespace: str | None

    def throttled(self, message: str | None = None) -> ApiError:
        return ApiError(self.throttled_code, message or self.throttled_message, self.throttled_status)

    def server_error(self) -> ApiError:
        return ApiError(self.server_error_code, "Injected internal server error.", 500)

    def denied(self, account_id: str, op: str) -> ApiError:
        message = explicit_deny_message(account_id, f"{self.iam_prefix}:{op}", SERVICE_CONTROL_POLICY)
        return ApiError("AccessDeniedException", message, self.denied_status, self.denied_namespace)


BEDROCK = Dialect(
    iam_prefix="bedrock",
    throttled_code="ThrottlingException",
    throttled_status=429,
    throttled_message="Rate exceeded.",
    server_error_code="InternalServerException",
    denied_status=403,
    denied_namespace=None,
)
TAGGING = Dialect(
    iam_prefix="tag",
    throttled_code="ThrottledException",
    throttled_status=400,
    # The message real GetResources throttles carry (cloud-custodian/cloud-custodian#5912:
    # "An error occurred (ThrottledException) when calling the GetResources operation ...: Rate exceeded").
    throttled_message="Rate exceeded",
    server_error_code="InternalServiceException",
    # IAM refusals of tag:GetResources come back as 400 AccessDeniedException (aws/copilot-cli#444,
    # Go SDK: "status code: 400"; aws/aws-toolkit-jetbrains#1597, Java SDK: "Status Code: 400"), not
    # 403 as from Bedrock. The "com.amazon.coral.service" namespace is what JSON services built on
    # the same framework send for an IAM refusal (a recorded DynamoDB reply:
    # {"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: ..."}); botocore
    # drops it, so clients see "AccessDeniedException" either way.
    denied_status=400,
    denied_namespace="com.amazon.coral.service",
)


#: AgentCore words them as Bedrock does (rest-json, 429 ThrottlingException, 403
#: AccessDeniedException: the statuses its model gives); only the IAM action's prefix differs.
AGENTCORE = dataclasses.replace(BEDROCK, iam_prefix=AGENTCORE_SIGNING_NAME)


def dialect(op: str) -> Dialect:
    if op in TAGGING_OPERATIONS:
        return TAGGING
    return AGENTCORE if op in BATCH_EVALUATION_OPERATIONS else BEDROCK
