"""Fault injection, counters and the admin routes."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig
from tests.emulator.support import MISSING_ARN, T0

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

    from tests.emulator.conftest import ClientFactory


def outcomes(client: BedrockClient, calls: int) -> list[str]:
    """'ok' or the error code of each of `calls` single-attempt ListEvaluationJobs calls."""
    result = []
    for _ in range(calls):
        try:
            client.list_evaluation_jobs(maxResults=1)
            result.append("ok")
        except ClientError as exc:
            result.append(exc.response["Error"]["Code"])
    return result


def admin(emu: BedrockEmulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{emu.endpoint_url}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_throttling_raises_without_retries(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.faults = FaultConfig(throttle_rate=1.0)
    with pytest.raises(client.exceptions.ThrottlingException) as exc:
        client.list_evaluation_jobs()
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert emu.fault_counts() == {"ListEvaluationJobs": 1}


@pytest.mark.usefixtures("no_backoff")
def test_max_attempts_in_client_config_counts_retries(
    emu: BedrockEmulator, make_client: ClientFactory
) -> None:
    emu.faults = FaultConfig(throttle_rate=1.0)
    client = make_client(retries={"max_attempts": 1})
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_evaluation_jobs()
    assert emu.request_counts() == {"ListEvaluationJobs": 2}


@pytest.mark.usefixtures("no_backoff")
def test_standard_retries_get_through_throttling(emu: BedrockEmulator, make_client: ClientFactory) -> None:
    emu.add_job(name="eval-1")
    emu.faults = FaultConfig(throttle_rate=0.5, seed=3)
    client = make_client(retries={"mode": "standard", "total_max_attempts": 10})

    for _ in range(20):
        assert [s["jobName"] for s in client.list_evaluation_jobs()["jobSummaries"]] == ["eval-1"]

    throttled = emu.fault_counts()["ListEvaluationJobs"]
    assert throttled > 0
    assert emu.request_counts() == {"ListEvaluationJobs": 20 + throttled}


def test_server_errors(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.faults = FaultConfig(server_error_rate=1.0)
    with pytest.raises(client.exceptions.InternalServerException) as exc:
        client.get_evaluation_job(jobIdentifier=MISSING_ARN)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


@pytest.mark.usefixtures("no_backoff")
def test_standard_retries_get_through_server_errors(emu: BedrockEmulator, make_client: ClientFactory) -> None:
    arn = emu.add_job(status="Completed")
    emu.faults = FaultConfig(server_error_rate=0.5, seed=1)
    client = make_client(retries={"mode": "standard", "total_max_attempts": 10})
    assert client.get_evaluation_job(jobIdentifier=arn)["jobArn"] == arn


def test_faults_can_target_operations(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = emu.add_job(status="Completed")
    emu.faults = FaultConfig(throttle_rate=1.0, operations=frozenset({"BatchDeleteEvaluationJob"}))

    assert client.list_evaluation_jobs()["jobSummaries"]
    with pytest.raises(client.exceptions.ThrottlingException):
        client.batch_delete_evaluation_job(jobIdentifiers=[arn])
    assert emu.job_arns() == [arn]
    assert emu.fault_counts() == {"BatchDeleteEvaluationJob": 1}


def test_item_failure_rate(emu: BedrockEmulator, client: BedrockClient) -> None:
    done = [emu.add_job(status="Completed") for _ in range(3)]
    running = emu.add_job(status="InProgress")
    emu.faults = FaultConfig(item_failure_rate=1.0)

    response = client.batch_delete_evaluation_job(jobIdentifiers=[*done, running, MISSING_ARN])

    assert response["evaluationJobs"] == []
    by_arn = {e["jobIdentifier"]: (e["code"], e["message"]) for e in response["errors"]}
    assert by_arn == {
        **dict.fromkeys(done, ("500", "Internal error deleting this job.")),
        running: ("409", by_arn[running][1]),
        MISSING_ARN: ("404", "Unable to locate this job to delete."),
    }
    assert emu.job_arns() == [*done, running]
    assert emu.fault_counts() == {"BatchDeleteEvaluationJob": 3}


def test_partial_item_failures_are_reproducible(make_client: ClientFactory) -> None:
    results = []
    for _ in range(2):
        with BedrockEmulator(seed=5, faults=FaultConfig(item_failure_rate=0.5, seed=11)) as emu:
            arns = [
                emu.add_job(status="Completed", creation_time=T0 + timedelta(minutes=i)) for i in range(25)
            ]
            response = make_client(emu).batch_delete_evaluation_job(jobIdentifiers=arns)
            failed = [e["jobIdentifier"] for e in response["errors"]]
            assert 0 < len(failed) < 25
            assert emu.job_arns(status="Completed") == failed  # failed items are not deleted
            results.append(failed)
    assert results[0] == results[1]


def test_fail_item_forces_an_error_until_cleared(emu: BedrockEmulator, client: BedrockClient) -> None:
    stuck, other = emu.add_job(status="Completed"), emu.add_job(status="Completed")
    emu.fail_item(stuck, code="403", message="Access denied for this job.")

    forced = {"jobIdentifier": stuck, "code": "403", "message": "Access denied for this job."}
    response = client.batch_delete_evaluation_job(jobIdentifiers=[stuck, other])
    assert response["errors"] == [forced]
    assert response["evaluationJobs"] == [{"jobIdentifier": other, "jobStatus": "Deleting"}]
    assert client.batch_delete_evaluation_job(jobIdentifiers=[stuck])["errors"] == [forced]
    assert emu.job_arns(status="Completed") == [stuck]

    emu.clear_item_failures()
    response = client.batch_delete_evaluation_job(jobIdentifiers=[stuck])
    assert response["evaluationJobs"] == [{"jobIdentifier": stuck, "jobStatus": "Deleting"}]
    assert emu.job_arns(status="Completed") == []


def test_same_seed_same_fault_decisions(make_client: ClientFactory) -> None:
    def run(seed: int) -> list[str]:
        config = FaultConfig(throttle_rate=0.3, server_error_rate=0.2, seed=seed)
        with BedrockEmulator(faults=config) as emu:
            return outcomes(make_client(emu), 40)

    first = run(seed=1)
    assert set(first) == {"ok", "ThrottlingException", "InternalServerException"}
    assert run(seed=1) == first
    assert run(seed=2) != first


def test_setting_faults_restarts_the_sequence(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.faults = FaultConfig(throttle_rate=0.5, seed=9)
    first = outcomes(client, 20)
    emu.faults = FaultConfig(throttle_rate=0.5, seed=9)
    assert outcomes(client, 20) == first


def test_request_counts(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = emu.add_job(status="Completed")
    client.list_evaluation_jobs()
    client.get_evaluation_job(jobIdentifier=arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_evaluation_job(jobIdentifier=MISSING_ARN)
    emu.faults = FaultConfig(throttle_rate=1.0, operations=frozenset({"ListTagsForResource"}))
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_tags_for_resource(resourceARN=arn)
    admin(emu, "GET", "/_emulator/counts")

    assert emu.request_counts() == {"ListEvaluationJobs": 1, "GetEvaluationJob": 2, "ListTagsForResource": 1}
    assert emu.fault_counts() == {"ListTagsForResource": 1}
    emu.reset_counts()
    assert emu.request_counts() == {}
    assert emu.fault_counts() == {}


def test_latency_is_injected(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.faults = FaultConfig(latency_seconds=0.05)
    start = time.perf_counter()
    for _ in range(3):
        client.list_evaluation_jobs()
    assert time.perf_counter() - start >= 0.15


def test_admin_routes(emu: BedrockEmulator, client: BedrockClient) -> None:
    created = admin(
        emu,
        "POST",
        "/_emulator/jobs",
        {"name": "remote-1", "status": "Failed", "creation_time": "2026-01-01T00:00:00Z", "tags": {"a": "b"}},
    )
    arn = created["jobArn"]
    job = client.get_evaluation_job(jobIdentifier=arn)
    assert (job["jobName"], job["status"], job["creationTime"]) == ("remote-1", "Failed", T0)
    assert admin(emu, "GET", "/_emulator/jobs?status=Failed") == {"jobArns": [arn]}

    config = admin(
        emu,
        "POST",
        "/_emulator/faults",
        {"throttle_rate": 1.0, "operations": ["GetEvaluationJob"], "seed": 4},
    )
    assert config["operations"] == ["GetEvaluationJob"]
    assert emu.faults == FaultConfig(throttle_rate=1.0, operations=frozenset({"GetEvaluationJob"}), seed=4)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.get_evaluation_job(jobIdentifier=arn)
    assert admin(emu, "GET", "/_emulator/counts") == {
        "requests": {"GetEvaluationJob": 2},
        "faults": {"GetEvaluationJob": 1},
    }

    admin(emu, "POST", "/_emulator/fail-item", {"jobArn": arn, "code": "500"})
    admin(emu, "POST", "/_emulator/faults", {})
    assert client.batch_delete_evaluation_job(jobIdentifiers=[arn])["errors"][0]["code"] == "500"
    admin(emu, "POST", "/_emulator/clear-item-failures", {})
    admin(emu, "POST", "/_emulator/reset-counts", {})
    assert admin(emu, "GET", "/_emulator/counts") == {"requests": {}, "faults": {}}


def test_admin_rejects_bad_input(emu: BedrockEmulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as exc:
        admin(emu, "POST", "/_emulator/faults", {"throttle_rate": 2})
    assert exc.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as exc:
        admin(emu, "POST", "/_emulator/jobs", {"status": "Exploded"})
    assert exc.value.code == 400


@pytest.mark.parametrize(
    "kwargs",
    [
        {"throttle_rate": 1.5},
        {"server_error_rate": -0.1},
        {"throttle_rate": 0.6, "server_error_rate": 0.6},
        {"latency_seconds": -1},
        {"operations": frozenset({"DeleteEverything"})},
    ],
)
def test_fault_config_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        FaultConfig(**kwargs)


def test_a_denied_operation_is_refused_as_iam_refuses_it(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = emu.add_job(status="Completed")
    emu.faults = FaultConfig(denied_operations=frozenset({"ListTagsForResource"}))
    with pytest.raises(ClientError) as raised:
        client.list_tags_for_resource(resourceARN=arn)
    error = raised.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform: bedrock:ListTagsForResource" in error["Error"]["Message"]
    assert client.list_evaluation_jobs()["jobSummaries"], "other operations are still allowed"
    assert FaultConfig.from_json({"denied_operations": "ListEvaluationJobs"}).denied_operations == {
        "ListEvaluationJobs"
    }
