"""Bedrock evaluation-job janitor: the Lambda function's code."""

#: Powertools service name: the logger's name and the metrics' `service` dimension.
SERVICE_NAME = "bedrock-evaluation-janitor"
METRICS_NAMESPACE = "BedrockEvaluationJanitor"
