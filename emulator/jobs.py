"""An evaluation job and the shapes the service answers with: its summary and its description.

The members and their JSON types follow what a real account returns, as Cloud Custodian
recorded it (tests/data/placebo/bedrock_evaluation_job*/ of cloud-custodian/cloud-custodian);
tests/emulator/test_recorded_shapes.py holds the emulator to a fixture of that shape.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.contract import APPLICATION_TYPES, JOB_NAME_RE, JOB_STATUSES, JOB_TYPES
from emulator.kinds.store import StatusChanges
from emulator.wire import JSON, from_us, iso

DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
_EVALUATOR_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@dataclass
class Job(StatusChanges):
    arn: str
    job_id: str
    name: str
    status: str
    created_us: int
    modified_us: int
    role_arn: str
    job_type: str
    application_type: str
    evaluation_config: dict[str, Any]
    inference_config: dict[str, Any]
    output_data_config: dict[str, Any]
    tags: dict[str, str]
    description: str | None = None
    kms_key_id: str | None = None
    # Serialized list summary, reused across pages until the job changes.
    _summary: str | None = field(default=None, repr=False)

    @property
    def ident(self) -> str:
        return self.job_id

    @property
    def key(self) -> tuple[int, str]:
        return (self.created_us, self.arn)

    def describe(self) -> dict[str, Any]:
        """GetEvaluationJob's answer."""
        out: dict[str, Any] = {
            "jobName": self.name,
            "status": self.status,
            "jobArn": self.arn,
            "roleArn": self.role_arn,
            "jobType": self.job_type,
            "applicationType": self.application_type,
            "evaluationConfig": self.evaluation_config,
            "inferenceConfig": self.inference_config,
            "outputDataConfig": self.output_data_config,
            "creationTime": iso(self.created_us),
            "lastModifiedTime": iso(self.modified_us),
        }
        if self.description is not None:
            out["jobDescription"] = self.description
        if self.kms_key_id is not None:
            out["customerEncryptionKeyId"] = self.kms_key_id
        if self.status == "Failed":
            out["failureMessages"] = ["Emulated failure."]
        return out

    def snapshot(self) -> dict[str, Any]:
        """The description as boto3 parses it (datetimes), plus ``tags``: for tests and the demo."""
        out = copy.deepcopy(self.describe())
        out["creationTime"] = from_us(self.created_us)
        out["lastModifiedTime"] = from_us(self.modified_us)
        out["tags"] = dict(self.tags)
        return out

    def summary_json(self) -> str:
        """This job's entry in ListEvaluationJobs' jobSummaries, as JSON."""
        if self._summary is None:
            models = _model_ids(self.inference_config)
            summary: dict[str, Any] = {
                "jobArn": self.arn,
                "jobName": self.name,
                "status": self.status,
                "creationTime": iso(self.created_us),
                "jobType": self.job_type,
                "evaluationTaskTypes": _task_types(self.evaluation_config),
                "modelIdentifiers": models,
            }
            rag = _rag_ids(self.inference_config)
            if rag:
                summary["ragIdentifiers"] = rag
            summary["inferenceConfigSummary"] = _inference_summary(self.inference_config, models, rag)
            summary["applicationType"] = self.application_type
            self._summary = JSON.encode(summary)
        return self._summary


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _task_types(evaluation_config: Mapping[str, Any]) -> list[str]:
    inner = evaluation_config.get("automated") or evaluation_config.get("human") or {}
    out: list[str] = []
    for cfg in _dicts(inner.get("datasetMetricConfigs") if isinstance(inner, dict) else None):
        task = cfg.get("taskType")
        if isinstance(task, str) and task not in out:
            out.append(task)
    return out or ["Generation"]


def _nested_str(value: object, *path: str) -> str | None:
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value if isinstance(value, str) else None


def _model_ids(inference_config: Mapping[str, Any]) -> list[str]:
    found = (
        _nested_str(m, "bedrockModel", "modelIdentifier") for m in _dicts(inference_config.get("models"))
    )
    return [m for m in found if m is not None]


_KNOWLEDGE_BASE_ID_PATHS = (
    ("knowledgeBaseConfig", "retrieveConfig", "knowledgeBaseId"),
    ("knowledgeBaseConfig", "retrieveAndGenerateConfig", "knowledgeBaseConfiguration", "knowledgeBaseId"),
)


def _rag_ids(inference_config: Mapping[str, Any]) -> list[str]:
    found = (
        _nested_str(rag, *path)
        for rag in _dicts(inference_config.get("ragConfigs"))
        for path in _KNOWLEDGE_BASE_ID_PATHS
    )
    return [kb for kb in found if kb is not None]


def _inference_summary(
    inference_config: Mapping[str, Any], models: list[str], rag: list[str]
) -> dict[str, Any]:
    """inferenceConfigSummary: modelConfigSummary for model evaluations (as recorded from a real
    account), ragConfigSummary for knowledge-base ones (as the model defines it)."""
    if inference_config.get("ragConfigs") is not None:
        sources = [
            _nested_str(r, "precomputedRagSourceConfig", kind, "ragSourceIdentifier")
            for r in _dicts(inference_config.get("ragConfigs"))
            for kind in ("retrieveSourceConfig", "retrieveAndGenerateSourceConfig")
        ]
        rag_summary: dict[str, Any] = {"bedrockKnowledgeBaseIdentifiers": rag}
        if any(sources):
            rag_summary["precomputedRagSourceIdentifiers"] = [s for s in sources if s]
        return {"ragConfigSummary": rag_summary}
    precomputed = [
        _nested_str(m, "precomputedInferenceSource", "inferenceSourceIdentifier")
        for m in _dicts(inference_config.get("models"))
    ]
    model_summary: dict[str, Any] = {"bedrockModelIdentifiers": models}
    if any(precomputed):
        model_summary["precomputedInferenceSourceIdentifiers"] = [p for p in precomputed if p]
    return {"modelConfigSummary": model_summary}


def check_seed(name: str | None, status: str, application_type: str, job_type: str) -> None:
    """ValueError unless a seeded job's values are ones the model allows."""
    if status not in JOB_STATUSES:
        raise ValueError(f"status must be one of {JOB_STATUSES}")
    if application_type not in APPLICATION_TYPES:
        raise ValueError(f"application_type must be one of {APPLICATION_TYPES}")
    if job_type not in JOB_TYPES:
        raise ValueError(f"job_type must be one of {JOB_TYPES}")
    if name is not None and not JOB_NAME_RE.fullmatch(name):
        raise ValueError(f"job name {name!r} does not match {JOB_NAME_RE.pattern}")


def default_configs(
    job_type: str,
    application_type: str,
    model_identifiers: Sequence[str],
    task_types: Sequence[str],
    name: str,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Plausible, model-valid configs for seeded jobs, so GetEvaluationJob looks real."""
    rag = application_type == "RagEvaluation"
    metrics = ["Builtin.ContextRelevance"] if rag else ["Builtin.Accuracy", "Builtin.Robustness"]
    dataset: dict[str, Any] = {"name": "Builtin.BoolQ"}
    if job_type == "Human" or rag:
        dataset = {"name": "custom-prompts", "datasetLocation": {"s3Uri": "s3://eval-datasets/prompts.jsonl"}}
    if job_type == "Human":
        metrics = ["helpfulness"]
    dataset_metrics = [{"taskType": t, "dataset": dataset, "metricNames": metrics} for t in task_types]
    evaluation: dict[str, Any]
    if job_type == "Human":
        evaluation = {
            "human": {
                "humanWorkflowConfig": {
                    "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:"
                    "flow-definition/eval-review"
                },
                "customMetrics": [{"name": "helpfulness", "ratingMethod": "ThumbsUpDown"}],
                "datasetMetricConfigs": dataset_metrics,
            }
        }
    else:
        automated: dict[str, Any] = {"datasetMetricConfigs": dataset_metrics}
        if rag:
            automated["evaluatorModelConfig"] = {
                "bedrockEvaluatorModels": [{"modelIdentifier": _EVALUATOR_MODEL}]
            }
        evaluation = {"automated": automated}
    inference: dict[str, Any]
    if rag:
        inference = {
            "ragConfigs": [
                {
                    "knowledgeBaseConfig": {
                        "retrieveConfig": {
                            "knowledgeBaseId": "KB4EXAMPLE",
                            "knowledgeBaseRetrievalConfiguration": {
                                "vectorSearchConfiguration": {"numberOfResults": 5}
                            },
                        }
                    }
                }
            ]
        }
    else:
        inference = {
            "models": [
                {"bedrockModel": {"modelIdentifier": m, "inferenceParams": '{"temperature":0.0}'}}
                for m in model_identifiers
            ]
        }
    output = {"s3Uri": f"s3://eval-results/{name}/"}
    return evaluation, inference, output
