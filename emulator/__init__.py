"""Local Amazon Bedrock emulator for evaluation jobs, for tests, benchmarks and the demo.

    from emulator import BedrockEmulator, FaultConfig
    with BedrockEmulator(seed=0) as emu:
        boto3.client("bedrock", endpoint_url=emu.endpoint_url, ...)

Behaviour the real service leaves unspecified, as chosen here:

- ListEvaluationJobs returns 100 jobs when maxResults is absent. nextToken is standard, padded
  base64 of a JSON object (``{"k": [creationTime µs, jobArn], "o": "A"|"D", "v": 1}``), the form
  AWS's tokens usually take; it is a cursor on (creationTime, jobArn), so deleting jobs between
  pages neither skips nor repeats, and it is valid only for the sortOrder it was issued for.
  Anything else is refused with ValidationException (emulator/tokens.py).
- BatchDeleteEvaluationJob answers per item with the codes in emulator/item_errors.py, each
  with its source: "404" for a missing job (documented by AWS), and two the emulator invents,
  "409" for a job that is InProgress or Stopping and "500" for an injected item failure. It
  accepts a job already Deleting again. A repeated ARN is answered once. Accepted jobs stay
  listed (and readable) as Deleting for ``deleting_seconds`` (default
  ``server.DEFAULT_DELETING_SECONDS``, 60 s: AWS documents no duration), then vanish; pass
  ``deleting_seconds=0.0`` for jobs that vanish at once.
- ``fault_counts()`` counts every injected fault: whole-request throttles and server errors,
  and per-item failures (item_failure_rate and fail_item), under the operation's name.
- Admin routes for out-of-process use (not counted, never faulted): GET /_emulator/counts,
  GET /_emulator/jobs?status=, POST /_emulator/jobs (add_job's keyword arguments, ISO times),
  POST /_emulator/faults (FaultConfig fields), POST /_emulator/reset-counts,
  POST /_emulator/fail-item {jobArn, code, message}, POST /_emulator/clear-item-failures.
- ``emulator.quota.QuotaEmulator`` adds a request-rate quota per operation (a token bucket,
  429 ThrottlingException beyond it), the way AWS throttles an API.

Response members and their JSON types follow responses recorded from a real account
(tests/data/recorded/ holds a fixture of that shape; tests/emulator/test_recorded_shapes.py).
"""

from emulator.faults import FaultConfig
from emulator.seed import seed_demo_jobs
from emulator.server import BedrockEmulator

__all__ = ["BedrockEmulator", "FaultConfig", "seed_demo_jobs"]
