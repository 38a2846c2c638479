"""Bedrock evaluation-job janitor: the Lambda function's code."""

#: Powertools service name: the logger's name and the metrics' `service` dimension.
SERVICE_NAME = "bedrock-evaluation-janitor"
METRICS_NAMESPACE = "BedrockEvaluationJanitor"
#: What the stack sets beside the settings, for both functions. No pydantic plugin is used, and
#: looking for one reads every installed package's metadata when the first model is built
#: (about 25 ms of the cold start, `python -m benchmarks` side by side).
RUNTIME_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
    "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
}
