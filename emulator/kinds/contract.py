"""What botocore's models (1.44.5) say about the new kinds, copied as data like emulator/contract.py.

tests/emulator/test_emulator_prompt_optimization.py and test_emulator_batch_evaluations.py fail
if a botocore upgrade changes any of it. Patterns are applied as full matches.
"""

from __future__ import annotations

import re

# -- Bedrock's advanced prompt optimization jobs (``bedrock``, API 2023-04-20).
PROMPT_OPTIMIZATION_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9.+-]*")
PROMPT_OPTIMIZATION_NAME_LENGTH = (1, 100)
PROMPT_OPTIMIZATION_ARN_RE = re.compile(
    r"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:advanced-prompt-optimization-job/[a-z0-9]{12}"
)
PROMPT_OPTIMIZATION_IDENTIFIER_RE = re.compile(
    r"((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:advanced-prompt-optimization-job/)?[a-z0-9]{12})"
)
PROMPT_OPTIMIZATION_STATUSES = (
    "InProgress",
    "Completed",
    "Failed",
    "PartiallyCompleted",
    "Stopping",
    "Stopped",
    "Deleting",
)
#: The statuses a batch delete accepts, as the brief for this emulator states them (AWS's
#: documentation of the API does not list them).
PROMPT_OPTIMIZATION_FINISHED = frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped"})
PROMPT_OPTIMIZATION_MAX_RESULTS = (1, 1000)
PROMPT_OPTIMIZATION_BATCH_RANGE = (1, 25)
PROMPT_OPTIMIZATION_OPERATIONS: dict[str, tuple[str, str, int]] = {
    "CreateAdvancedPromptOptimizationJob": ("POST", "/advanced-prompt-optimization-jobs", 200),
    "GetAdvancedPromptOptimizationJob": ("GET", "/advanced-prompt-optimization-jobs/{jobIdentifier}", 200),
    "ListAdvancedPromptOptimizationJobs": ("GET", "/advanced-prompt-optimization-jobs", 200),
    "BatchDeleteAdvancedPromptOptimizationJob": (
        "POST",
        "/advanced-prompt-optimization-job/batch-delete",
        202,
    ),
}

# -- Amazon Bedrock AgentCore's batch evaluations (``bedrock-agentcore``, API 2024-02-28).
AGENTCORE_SIGNING_NAME = "bedrock-agentcore"
BATCH_EVALUATION_ID_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}")
BATCH_EVALUATION_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,47}")
#: Not in the model (batchEvaluationArn is a plain string there): the form the emulator issues,
#: arn:aws:bedrock-agentcore:<Region>:<account>:batch-evaluate/<batchEvaluationId>.
BATCH_EVALUATION_ARN_RE = re.compile(
    r"arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]{1,20}:[0-9]{12}:batch-evaluate/"
    + BATCH_EVALUATION_ID_RE.pattern
)
BATCH_EVALUATION_STATUSES = (
    "PENDING",
    "IN_PROGRESS",
    "COMPLETED",
    "COMPLETED_WITH_ERRORS",
    "FAILED",
    "STOPPING",
    "STOPPED",
    "DELETING",
)
BATCH_EVALUATION_FINISHED = frozenset({"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "STOPPED"})
BATCH_EVALUATION_MAX_RESULTS = (1, 100)
BATCH_EVALUATION_MAX_TAGS = 50
BATCH_EVALUATION_MAX_EVALUATORS = 10
BATCH_EVALUATION_CLIENT_TOKEN_LENGTH = (33, 256)
BATCH_EVALUATION_OPERATIONS: dict[str, tuple[str, str, int]] = {
    "StartBatchEvaluation": ("POST", "/evaluations/batch-evaluate", 202),
    "GetBatchEvaluation": ("GET", "/evaluations/batch-evaluate/{batchEvaluationId}", 200),
    "ListBatchEvaluations": ("GET", "/evaluations/batch-evaluate", 200),
    "DeleteBatchEvaluation": ("DELETE", "/evaluations/batch-evaluate/{batchEvaluationId}", 202),
}
#: AgentCore's modeled errors and their statuses (ConflictException is 409 here, 400 in Bedrock).
AGENTCORE_ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "UnauthorizedException": 401,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ConflictException": 409,
    "ThrottlingException": 429,
    "InternalServerException": 500,
}

#: Operation -> (method, URI template, success status) of both kinds, for routing.
KIND_OPERATIONS: dict[str, tuple[str, str, int]] = {
    **PROMPT_OPTIMIZATION_OPERATIONS,
    **BATCH_EVALUATION_OPERATIONS,
}
