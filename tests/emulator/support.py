"""Request builders shared by the emulator tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
MISSING_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:evaluation-job/zzzzzzzzzzzz"


def job_request(name: str, **overrides: Any) -> dict[str, Any]:
    """CreateEvaluationJob arguments for a minimal automated model evaluation."""
    return {
        "jobName": name,
        "roleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/EvaluationRole",
        "evaluationConfig": {
            "automated": {
                "datasetMetricConfigs": [
                    {
                        "taskType": "Summarization",
                        "dataset": {"name": "Builtin.Gigaword"},
                        "metricNames": ["Builtin.Accuracy"],
                    }
                ]
            }
        },
        "inferenceConfig": {
            "models": [{"bedrockModel": {"modelIdentifier": "amazon.titan-text-express-v1"}}]
        },
        "outputDataConfig": {"s3Uri": "s3://eval-results/out/"},
        **overrides,
    }
