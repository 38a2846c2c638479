"""What botocore's ``bedrock`` model says about the evaluation-job operations, copied as data.

Routes, status codes, enums and patterns are copied from botocore's ``bedrock`` model
(API 2023-04-20, botocore 1.44.5) rather than imported, so the server needs only the standard
library; tests/emulator/test_emulator_model.py fails if a botocore upgrade changes any of them.

Model patterns are Smithy patterns (not implicitly anchored); the emulator applies them as full
matches because that is how the service behaves for names and ARNs.
"""

from __future__ import annotations

import re

from emulator.kinds.contract import KIND_OPERATIONS

JOB_NAME_RE = re.compile(r"[a-z0-9](-*[a-z0-9]){0,62}")
ROLE_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+")
JOB_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:evaluation-job/[a-z0-9]{12}")
JOB_ID_RE = re.compile(r"[a-z0-9]{12}")
S3_URI_RE = re.compile(
    r"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
)
TAG_RE = re.compile(r"[a-zA-Z0-9\s._:/=+@-]*")

JOB_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting")
FINISHED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
APPLICATION_TYPES = ("ModelEvaluation", "RagEvaluation")
JOB_TYPES = ("Human", "Automated")
SORT_BY = ("CreationTime",)
SORT_ORDERS = ("Ascending", "Descending")
MAX_RESULTS_RANGE = (1, 1000)
BATCH_DELETE_RANGE = (1, 25)
MAX_ARN_LENGTH = 1011
MAX_TAGS = 200
#: The PaginationToken shape's length limit: a nextToken must stay within it.
MAX_TOKEN_LENGTH = 2048

# Operation name -> (method, URI template, success status), as in the model.
OPERATIONS: dict[str, tuple[str, str, int]] = {
    "CreateEvaluationJob": ("POST", "/evaluation-jobs", 202),
    "GetEvaluationJob": ("GET", "/evaluation-jobs/{jobIdentifier}", 200),
    "ListEvaluationJobs": ("GET", "/evaluation-jobs", 200),
    "BatchDeleteEvaluationJob": ("POST", "/evaluation-jobs/batch-delete", 202),
    "StopEvaluationJob": ("POST", "/evaluation-job/{jobIdentifier}/stop", 200),
    "TagResource": ("POST", "/tagResource", 200),
    "UntagResource": ("POST", "/untagResource", 200),
    "ListTagsForResource": ("POST", "/listTagsForResource", 200),
}
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "ConflictException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "InternalServerException": 500,
}

# -- The Resource Groups Tagging API (JSON 1.1), as botocore's ``resourcegroupstaggingapi`` model
# (API 2017-01-26) and its documentation say; tests/emulator/test_emulator_model.py checks them.
# The model lists smithy-rpc-v2-cbor first, but botocore ranks "json" above it
# (botocore.utils.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS), so boto3 and the AWS CLI send JSON 1.1.
TAGGING_TARGET_PREFIX = "ResourceGroupsTaggingAPI_20170126"
TAGGING_CONTENT_TYPE = "application/x-amz-json-1.1"
#: The tagging operations the emulator serves; each is POST / with X-Amz-Target prefix.operation.
TAGGING_OPERATIONS = ("GetResources",)
#: Every operation name the emulator counts, faults, denies or puts under a quota: the other
#: kinds' (emulator/kinds/contract.py) included.
ALL_OPERATIONS = (*OPERATIONS, *TAGGING_OPERATIONS, *KIND_OPERATIONS)
#: The model gives these errors no HTTP status. Client errors are 400, as JSON 1.x services answer
#: them (AccessDeniedException from tag:GetResources was reported with status 400 in
#: aws/copilot-cli#444 and aws/aws-toolkit-jetbrains#1597); botocore's standard mode retries
#: ThrottledException by its code (retries/standard.py, _THROTTLED_ERROR_CODES), not its status.
TAGGING_ERROR_STATUS: dict[str, int] = {
    "InvalidParameterException": 400,
    "ThrottledException": 400,
    "PaginationTokenExpiredException": 400,
    "InternalServiceException": 500,
}
ARN_LIST_RANGE = (1, 100)
#: From the member documentation, not the model's constraints (the model has none for these).
RESOURCES_PER_PAGE_RANGE = (1, 100)
TAGS_PER_PAGE_RANGE = (100, 500)
MAX_RESOURCE_TYPE_FILTERS = 100
MAX_TAG_FILTERS = 50
MAX_TAG_FILTER_VALUES = 20
TAGGING_KEY_LENGTH = (1, 128)
TAGGING_VALUE_LENGTH = (0, 256)
MAX_RESOURCE_TYPE_LENGTH = 256
#: "A PaginationToken is valid for a maximum of 15 minutes" (PaginationTokenExpiredException).
PAGINATION_TOKEN_LIFETIME_SECONDS = 15 * 60
