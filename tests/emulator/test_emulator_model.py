"""The emulator's copied contract still matches botocore's bedrock model; its per-item codes; the demo seed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import botocore.session
import pytest

from emulator import BedrockEmulator, FaultConfig, seed_demo_jobs
from emulator import contract as s
from emulator.item_errors import ITEM_ERRORS
from tests.emulator.support import MISSING_ARN, T0, raw_request


@pytest.fixture(scope="module")
def model() -> Any:
    return botocore.session.get_session().get_service_model("bedrock")


def test_routes_and_status_codes(model: Any) -> None:
    for name, (method, uri, status) in s.OPERATIONS.items():
        http = model.operation_model(name).http
        assert (http["method"], http["requestUri"], http.get("responseCode", 200)) == (method, uri, status)


def test_error_status_codes(model: Any) -> None:
    declared = {e.name: e.metadata["error"]["httpStatusCode"] for e in model.error_shapes}
    for code, status in s.ERROR_STATUS.items():
        assert declared[code] == status


def test_patterns_enums_and_limits(model: Any) -> None:
    def meta(shape: str) -> Any:
        return model.shape_for(shape).metadata

    assert s.JOB_NAME_RE.pattern == meta("EvaluationJobName")["pattern"]
    assert s.ROLE_ARN_RE.pattern == meta("RoleArn")["pattern"]
    assert s.JOB_ARN_RE.pattern == meta("EvaluationJobArn")["pattern"]
    assert f"({s.JOB_ARN_RE.pattern})" == meta("EvaluationJobIdentifier")["pattern"]
    assert meta("EvaluationJobIdentifier")["max"] == s.MAX_ARN_LENGTH
    assert s.S3_URI_RE.pattern == meta("S3Uri")["pattern"]
    assert s.TAG_RE.pattern == meta("TagKey")["pattern"] == meta("TagValue")["pattern"]
    assert tuple(meta("EvaluationJobStatus")["enum"]) == s.JOB_STATUSES
    assert tuple(meta("ApplicationType")["enum"]) == s.APPLICATION_TYPES
    assert tuple(meta("EvaluationJobType")["enum"]) == s.JOB_TYPES
    assert tuple(meta("SortJobsBy")["enum"]) == s.SORT_BY
    assert tuple(meta("SortOrder")["enum"]) == s.SORT_ORDERS
    assert (meta("MaxResults")["min"], meta("MaxResults")["max"]) == s.MAX_RESULTS_RANGE
    assert (
        meta("EvaluationJobIdentifiers")["min"],
        meta("EvaluationJobIdentifiers")["max"],
    ) == s.BATCH_DELETE_RANGE
    assert meta("TagList")["max"] == s.MAX_TAGS
    assert meta("PaginationToken")["max"] == s.MAX_TOKEN_LENGTH


def test_the_tagging_contract_matches_botocores_model() -> None:
    tagging = botocore.session.get_session().get_service_model("resourcegroupstaggingapi")
    op = tagging.operation_model("GetResources")
    assert (tagging.metadata["targetPrefix"], tagging.metadata["jsonVersion"]) == (
        s.TAGGING_TARGET_PREFIX,
        "1.1",
    )
    assert s.TAGGING_OPERATIONS == ("GetResources",)
    assert (op.http["method"], op.http["requestUri"]) == ("POST", "/")
    assert {e.name for e in op.error_shapes} == set(s.TAGGING_ERROR_STATUS)

    def meta(shape: str) -> Any:
        return tagging.shape_for(shape).metadata

    assert (meta("ResourceARNListForGet")["min"], meta("ResourceARNListForGet")["max"]) == s.ARN_LIST_RANGE
    assert meta("ResourceARN")["max"] == s.MAX_ARN_LENGTH
    assert meta("TagFilterList")["max"] == s.MAX_TAG_FILTERS
    assert meta("TagValueList")["max"] == s.MAX_TAG_FILTER_VALUES
    assert (meta("TagKey")["min"], meta("TagKey")["max"]) == s.TAGGING_KEY_LENGTH
    assert (meta("TagValue")["min"], meta("TagValue")["max"]) == s.TAGGING_VALUE_LENGTH
    assert meta("AmazonResourceType")["max"] == s.MAX_RESOURCE_TYPE_LENGTH
    assert meta("PaginationToken")["max"] == s.MAX_TOKEN_LENGTH
    # The page-size limits and the token's lifetime are only in the documentation.
    assert op.input_shape is not None
    docs = {name: shape.documentation for name, shape in op.input_shape.members.items()}
    lo, hi = s.RESOURCES_PER_PAGE_RANGE
    assert f"minimum of {lo} and a maximum value of {hi}" in docs["ResourcesPerPage"]
    lo, hi = s.TAGS_PER_PAGE_RANGE
    assert f"minimum of {lo} items up to a maximum of {hi}" in docs["TagsPerPage"]
    assert f"up to {s.MAX_RESOURCE_TYPE_FILTERS} items" in docs["ResourceTypeFilters"]
    expired = tagging.shape_for("PaginationTokenExpiredException").documentation
    assert f"maximum of {s.PAGINATION_TOKEN_LIFETIME_SECONDS // 60} minutes" in expired


def test_responses_carry_every_required_member(model: Any) -> None:
    with BedrockEmulator() as emu:
        arn = emu.add_job(status="Failed", application_type="RagEvaluation")
        _, _, listed = raw_request(emu, "GET", "/evaluation-jobs")
        _, _, described = raw_request(emu, "GET", f"/evaluation-jobs/{arn.rsplit('/', 1)[1]}")
    [summary] = listed["jobSummaries"]
    summary_shape = model.shape_for("EvaluationSummary")
    assert set(summary_shape.required_members) <= set(summary) <= set(summary_shape.members)
    output = model.operation_model("GetEvaluationJob").output_shape
    assert set(output.required_members) <= set(described) <= set(output.members)


def test_per_item_codes_come_from_one_table_where_only_404_is_documented() -> None:
    assert [(e.code, e.invented) for e in ITEM_ERRORS] == [
        ("404", False),
        ("409", True),
        ("500", True),
        ("403", True),
    ]
    assert all(e.source for e in ITEM_ERRORS)
    assert all(e.source.startswith(("INVENTED", "INJECTED", "ASSUMED")) for e in ITEM_ERRORS if e.invented)
    # Every code the emulator answers on its own is a row of that table.
    with BedrockEmulator() as emu:
        done, running = emu.add_job(status="Completed"), emu.add_job(status="InProgress")
        retained = emu.add_job(status="Completed", tags={"janitor:retain": "true"})
        emu.faults = FaultConfig(item_failure_rate=1.0)
        emu.enforce_retain_tag_deny("janitor:retain", mode="item")
        body = json.dumps({"jobIdentifiers": [MISSING_ARN, running, done, retained]}).encode()
        _, _, answer = raw_request(emu, "POST", "/evaluation-jobs/batch-delete", body)
    assert [e["code"] for e in answer["errors"]] == [e.code for e in ITEM_ERRORS]
    assert [e["message"] for e in answer["errors"]] == [
        ITEM_ERRORS[0].message,
        "Job is InProgress; only Completed, Failed or Stopped jobs can be deleted.",
        ITEM_ERRORS[2].message,
        "User: arn:aws:sts::123456789012:assumed-role/janitor/function is not authorized to perform: "
        f"bedrock:BatchDeleteEvaluationJob on resource: {retained} with an explicit deny in an "
        "identity-based policy",
    ]


def test_demo_seed_is_a_realistic_reproducible_mix() -> None:
    now = T0 + timedelta(days=500)
    jobs = []
    for _ in range(2):
        with BedrockEmulator(seed=3) as emu:
            seed_demo_jobs(emu, now)
            jobs.append([emu.get_job(a) for a in emu.job_arns()])
    assert jobs[0] == jobs[1]
    seeded = [j for j in jobs[0] if j is not None]
    assert len(seeded) == 60

    statuses = Counter(j["status"] for j in seeded)
    assert statuses["InProgress"] >= 2
    assert statuses["Stopping"] >= 1
    assert statuses["Completed"] + statuses["Failed"] + statuses["Stopped"] >= 40
    retain = Counter(j["tags"].get("janitor:retain") for j in seeded)
    assert retain["true"] >= 2
    assert retain["TRUE"] == 1
    assert {j["applicationType"] for j in seeded} == {"ModelEvaluation", "RagEvaluation"}
    assert {j["jobType"] for j in seeded} == {"Automated", "Human"}
    assert sum(j["jobName"].startswith("keep-") for j in seeded) >= 2
    ages = [now - j["creationTime"] for j in seeded]
    assert all(age > timedelta(0) for age in ages)
    assert sum(age > timedelta(days=30) for age in ages) >= 30
    assert sum(age < timedelta(days=7) for age in ages) >= 5


def test_the_modules_others_import_from_keep_their_names() -> None:
    # localdev, benchmarks, the integration tests and emulator.quota import these.
    import emulator.server
    from emulator.quota import QuotaEmulator

    assert emulator.server.OPERATIONS is s.OPERATIONS
    assert {"ApiError", "BedrockEmulator", "FaultConfig", "_route"} <= set(vars(emulator.server))
    assert issubclass(QuotaEmulator, emulator.server.BedrockEmulator)
