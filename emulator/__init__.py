"""Local Amazon Bedrock emulator for evaluation jobs, for tests, benchmarks and the demo.

    from emulator import BedrockEmulator, FaultConfig
    with BedrockEmulator(seed=0, deleting_seconds=0.0) as emu:
        boto3.client("bedrock", endpoint_url=emu.endpoint_url, ...)

Behaviour the real service leaves unspecified, as chosen here:

- ListEvaluationJobs returns 100 jobs when maxResults is absent; nextToken is an opaque
  cursor on (creationTime, jobArn), so deleting jobs between pages neither skips nor repeats.
- BatchDeleteEvaluationJob answers per item: "404" for a missing job, "409" for a job that is
  InProgress or Stopping, "500" for an injected item failure, and accepts a job already
  Deleting again. A repeated ARN is answered once. Accepted jobs vanish at once, or stay
  listed as Deleting for ``deleting_seconds``.
- ``fault_counts()`` counts every injected fault: whole-request throttles and server errors,
  and per-item failures (item_failure_rate and fail_item), under the operation's name.
- Admin routes for out-of-process use (not counted, never faulted): GET /_emulator/counts,
  GET /_emulator/jobs?status=, POST /_emulator/jobs (add_job's keyword arguments, ISO times),
  POST /_emulator/faults (FaultConfig fields), POST /_emulator/reset-counts,
  POST /_emulator/fail-item {jobArn, code, message}, POST /_emulator/clear-item-failures.
- ``emulator.quota.QuotaEmulator`` adds a request-rate quota per operation (a token bucket,
  429 ThrottlingException beyond it), the way AWS throttles an API.
"""

from emulator.seed import seed_demo_jobs
from emulator.server import BedrockEmulator, FaultConfig

__all__ = ["BedrockEmulator", "FaultConfig", "seed_demo_jobs"]
