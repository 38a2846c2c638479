"""The kinds of resource the emulator serves beside evaluation jobs, one module each.

- prompt_optimization: Bedrock's advanced prompt optimization jobs (service ``bedrock``).
- batch_evaluations: Amazon Bedrock AgentCore's batch evaluations (service ``bedrock-agentcore``).

They share the evaluation jobs' machinery: the generic store (store.py, which
emulator/store.py's JobStore also builds on: indexes, paging, Deleting linger, the tag index)
and the per-item delete decision (store.py, delete_locked). contract.py holds what botocore's
models say about them, routes.py their routes, agentcore.py AgentCore's error shape, api.py
BedrockEmulator's seeding methods for them. This module imports nothing, so emulator.contract
can import kinds.contract without a cycle.
"""

#: The names ``leftover_arns`` and ``surviving_arns`` take, as the janitor names its kinds.
EVALUATION_JOBS = "evaluationJobs"
PROMPT_OPTIMIZATION_JOBS = "promptOptimizationJobs"
BATCH_EVALUATIONS = "batchEvaluations"
KIND_NAMES = (EVALUATION_JOBS, PROMPT_OPTIMIZATION_JOBS, BATCH_EVALUATIONS)
