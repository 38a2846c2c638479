"""Local Amazon Bedrock emulator for evaluation jobs, for tests, benchmarks and the demo.

    from emulator import BedrockEmulator, FaultConfig
    with BedrockEmulator(seed=0) as emu:
        boto3.client("bedrock", endpoint_url=emu.endpoint_url, ...)
        boto3.client("resourcegroupstaggingapi", endpoint_url=emu.endpoint_url, ...)

The same port also serves the Resource Groups Tagging API's GetResources (JSON 1.1: POST / with
``X-Amz-Target: ResourceGroupsTaggingAPI_20170126.GetResources``) over the same jobs and tags;
emulator/tagging.py states what it follows and what it chose. Two options bear on it:

- ``tag_index_lag_seconds`` (constructor keyword and property, ``--tag-index-lag-seconds``,
  POST /_emulator/tag-index-lag {"seconds"}; default 0): GetResources answers from an index that
  learns of tag changes that many seconds late, as the real one is eventually consistent.
  Changes through the API (TagResource, UntagResource, CreateEvaluationJob's jobTags, a job
  vanishing) lag; tags given to ``add_job`` count as set long ago and are visible at once.
  ListTagsForResource always reads the true tags (emulator/tag_index.py).
- ``enforce_retain_tag_deny(tag_key="janitor:retain", mode="call" | "item")`` (``tag_key=None``
  turns it off; POST /_emulator/retain-tag-deny {"tagKey", "mode"}): BatchDeleteEvaluationJob
  behaves as IAM would with the janitor role's ``Deny`` on ``aws:ResourceTag/<key>`` equal to
  "true" ignoring case, on the true tags: "call" refuses any request naming such a job with 403
  AccessDeniedException, "item" answers those jobs with per-item "403" errors and deletes the
  rest (emulator/iam.py; the per-item code is an assumption, emulator/item_errors.py).

Jobs live per account and Region, as in AWS (emulator/state.py): a request sees the jobs of
the Region its SigV4 signature names and of the account its access key belongs to, which
``account_of_key`` (a constructor keyword: access key id -> account id, None when unknown)
tells, as the account's STS would; without it, or for an unknown key, and for unsigned requests,
the emulator's own ``account_id`` and ``region``. ``add_job``, ``job_arns`` and
``surviving_job_arns`` take ``account_id=`` and ``region=`` keywords (default: its own).

Behaviour the real service leaves unspecified, as chosen here:

- ListEvaluationJobs returns 100 jobs when maxResults is absent. nextToken is standard, padded
  base64 of a JSON object (``{"k": [creationTime µs, jobArn], "o": "A"|"D", "v": 1}``), the form
  AWS's tokens usually take; it is a cursor on (creationTime, jobArn), so deleting jobs between
  pages neither skips nor repeats, and it is valid only for the sortOrder it was issued for.
  Anything else is refused with ValidationException (emulator/tokens.py).
- BatchDeleteEvaluationJob answers per item with the codes in emulator/item_errors.py, each
  with its source: "404" for a missing job (documented by AWS), two the emulator invents,
  "409" for a job that is InProgress or Stopping and "500" for an injected item failure, and
  one it assumes, "403" for a job the enforced retain-tag Deny covers (mode "item"). It
  accepts a job already Deleting again. A repeated ARN is answered once. Accepted jobs stay
  listed (and readable) as Deleting for ``deleting_seconds`` (default
  ``server.DEFAULT_DELETING_SECONDS``, 60 s: AWS documents no duration), then vanish; pass
  ``deleting_seconds=0.0`` for jobs that vanish at once.
- ``fault_counts()`` counts every injected fault: whole-request throttles and server errors,
  and per-item failures (item_failure_rate and fail_item), denied operations and retain-tag
  denials, under the operation's name. Operations are named as in ``request_counts()``,
  GetResources included, in FaultConfig.operations, FaultConfig.denied_operations and quotas;
  each refusal is worded as its service words it (emulator/dialects.py): GetResources is
  throttled with 400 ThrottledException, fails with 500 InternalServiceException and is denied
  with 400 AccessDeniedException.
- Admin routes for out-of-process use (not counted, never faulted): GET /_emulator/counts,
  GET /_emulator/jobs?status=, POST /_emulator/jobs (add_job's keyword arguments, ISO times),
  POST /_emulator/faults (FaultConfig fields), POST /_emulator/reset-counts,
  POST /_emulator/fail-item {jobArn, code, message}, POST /_emulator/clear-item-failures,
  POST /_emulator/tag-index-lag, POST /_emulator/retain-tag-deny.
- ``emulator.quota.QuotaEmulator`` adds a request-rate quota per operation (a token bucket,
  429 ThrottlingException beyond it, 400 ThrottledException for GetResources), the way AWS
  throttles an API.

Two more kinds share the port, the per-account/Region state, faults, quotas, denied operations,
counts and Deleting linger (emulator/kinds/, each module's docstring says what it chose):

- Bedrock's advanced prompt optimization jobs: Create/Get/ListAdvancedPromptOptimizationJob(s)
  and BatchDeleteAdvancedPromptOptimizationJob, whose per-item errors are evaluation jobs'.
- Amazon Bedrock AgentCore's batch evaluations (a ``bedrock-agentcore`` client with
  ``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`` or ``endpoint_url`` set to this port): Start/Get/
  ListBatchEvaluation(s) (listed in no particular order) and DeleteBatchEvaluation (202,
  DELETING; 404; 409 for an unfinished one).

GetResources serves their tags from the same index; the retain-tag Deny does not apply to them.
``add_prompt_optimization_job``, ``add_batch_evaluation``, ``leftover_arns(kind)`` and
``surviving_arns(kind)`` seed and read them (emulator/kinds/api.py); ``set_status`` and
``fail_item`` take their ARNs; POST /_emulator/prompt-optimization-jobs, POST
/_emulator/batch-evaluations and GET /_emulator/leftovers?kind=&status= do the same from
another process.

Response members and their JSON types follow responses recorded from a real account
(tests/data/recorded/ holds a fixture of that shape; tests/emulator/test_recorded_shapes.py).
"""

from emulator.faults import FaultConfig
from emulator.seed import seed_demo_batch_evaluations, seed_demo_jobs, seed_demo_prompt_optimization_jobs
from emulator.server import BedrockEmulator

__all__ = [
    "BedrockEmulator",
    "FaultConfig",
    "seed_demo_batch_evaluations",
    "seed_demo_jobs",
    "seed_demo_prompt_optimization_jobs",
]
