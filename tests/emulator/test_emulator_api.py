"""Create, Get, BatchDelete, Stop and the tag operations through the real boto3 client; the wire format."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ParamValidationError

from emulator import BedrockEmulator
from emulator.server import DEFAULT_DELETING_SECONDS
from tests.emulator.support import MISSING_ARN, T0, error_code, job_request, names, raw_request

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

    from tests.emulator.conftest import ClientFactory


# -- Create / Get -----------------------------------------------------------------------------


def test_create_then_get_by_arn_and_bare_id(client: BedrockClient) -> None:
    request = job_request("eval-1", jobTags=[{"key": "team", "value": "search"}])
    arn = client.create_evaluation_job(**request)["jobArn"]

    assert arn.startswith("arn:aws:bedrock:us-east-1:123456789012:evaluation-job/")
    job = client.get_evaluation_job(jobIdentifier=arn)
    assert job["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert job["jobName"] == "eval-1"
    assert job["jobArn"] == arn
    assert job["status"] == "InProgress"
    assert job["jobType"] == "Automated"
    assert job["applicationType"] == "ModelEvaluation"
    assert job["roleArn"] == request["roleArn"]
    assert job["evaluationConfig"] == request["evaluationConfig"]
    assert job["inferenceConfig"] == request["inferenceConfig"]
    assert job["outputDataConfig"] == request["outputDataConfig"]
    assert job["creationTime"].tzinfo is not None
    assert job["lastModifiedTime"] >= job["creationTime"]
    assert client.get_evaluation_job(jobIdentifier=arn.rsplit("/", 1)[1])["jobArn"] == arn
    tags = client.list_tags_for_resource(resourceARN=arn)["tags"]
    assert tags == [{"key": "team", "value": "search"}]


def test_create_answers_202_and_ids_follow_the_seed(make_client: ClientFactory) -> None:
    arns = []
    for _ in range(2):
        with BedrockEmulator(seed=42) as emu:
            response = make_client(emu).create_evaluation_job(**job_request("eval-1"))
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
            arns.append(response["jobArn"])
    assert arns[0] == arns[1]


def test_create_human_rag_job_records_types(client: BedrockClient) -> None:
    request = job_request("human-1", applicationType="RagEvaluation")
    request["evaluationConfig"] = {"human": request["evaluationConfig"]["automated"]}
    arn = client.create_evaluation_job(**request)["jobArn"]

    job = client.get_evaluation_job(jobIdentifier=arn)
    assert (job["jobType"], job["applicationType"]) == ("Human", "RagEvaluation")


def test_create_duplicate_name_is_a_conflict(client: BedrockClient) -> None:
    client.create_evaluation_job(**job_request("eval-1"))
    with pytest.raises(client.exceptions.ConflictException) as exc:
        client.create_evaluation_job(**job_request("eval-1"))
    assert error_code(exc) == ("ConflictException", 400)


def test_create_with_same_client_token_returns_same_job(client: BedrockClient) -> None:
    first = client.create_evaluation_job(**job_request("eval-1", clientRequestToken="token-1"))
    second = client.create_evaluation_job(**job_request("eval-1", clientRequestToken="token-1"))
    assert first["jobArn"] == second["jobArn"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"jobName": "Bad_Name"},
        {"jobName": "-leading-dash"},
        {"jobName": "a" * 64},
        {"roleArn": "not-a-role"},
        {"outputDataConfig": {"s3Uri": "https://example.com/out"}},
        {"jobTags": [{"key": "bad{key}", "value": "v"}]},
    ],
)
def test_create_rejects_invalid_members(client: BedrockClient, overrides: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.create_evaluation_job(**job_request("eval-1", **overrides))


@pytest.mark.parametrize(
    "missing", ["jobName", "roleArn", "evaluationConfig", "inferenceConfig", "outputDataConfig"]
)
def test_create_without_required_member_is_rejected_by_the_server(
    make_client: ClientFactory, missing: str
) -> None:
    # botocore would refuse locally; switch its validation off to reach the emulator's.
    client = make_client(parameter_validation=False)
    request = job_request("eval-1")
    del request[missing]
    with pytest.raises(client.exceptions.ValidationException):
        client.create_evaluation_job(**request)


def test_get_missing_job_and_malformed_identifier(client: BedrockClient) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_evaluation_job(jobIdentifier=MISSING_ARN)
    assert error_code(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(client.exceptions.ValidationException):
        client.get_evaluation_job(jobIdentifier="not a job")


def test_a_seeded_output_s3_uri_is_what_get_returns(emu: BedrockEmulator, client: BedrockClient) -> None:
    seeded = emu.add_job(name="eval-1", output_s3_uri="s3://eval-results/team-a/nightly/")
    default = emu.add_job(name="eval-2")

    job = client.get_evaluation_job(jobIdentifier=seeded)
    assert job["outputDataConfig"] == {"s3Uri": "s3://eval-results/team-a/nightly/"}
    # Without one, a seeded job keeps the emulator's plausible default.
    assert client.get_evaluation_job(jobIdentifier=default)["outputDataConfig"] == {
        "s3Uri": "s3://eval-results/eval-2/"
    }


# -- BatchDelete --------------------------------------------------------------------------------


def test_batch_delete_finished_jobs_leaves_them_listed_as_deleting(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    arns = [
        emu.add_job(status=s, creation_time=T0 + timedelta(minutes=i))
        for i, s in enumerate(("Completed", "Failed", "Stopped"))
    ]
    keeper = emu.add_job(status="Completed", creation_time=T0 + timedelta(hours=1))

    response = client.batch_delete_evaluation_job(jobIdentifiers=arns)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["errors"] == []
    assert response["evaluationJobs"] == [{"jobIdentifier": a, "jobStatus": "Deleting"} for a in arns]
    # The delete is asynchronous, as the service's is: by default the jobs stay a while, Deleting.
    assert emu.deleting_seconds == DEFAULT_DELETING_SECONDS == 60.0
    listed = client.list_evaluation_jobs(sortOrder="Ascending")["jobSummaries"]
    assert [(s["jobArn"], s["status"]) for s in listed] == [
        *((a, "Deleting") for a in arns),
        (keeper, "Completed"),
    ]
    assert client.get_evaluation_job(jobIdentifier=arns[0])["status"] == "Deleting"
    assert emu.job_arns(status="Deleting") == arns


def test_with_deleting_seconds_zero_deleted_jobs_vanish_at_once(make_client: ClientFactory) -> None:
    with BedrockEmulator(deleting_seconds=0.0) as emu:
        client = make_client(emu)
        arns = [emu.add_job(status=s) for s in ("Completed", "Failed", "Stopped")]
        keeper = emu.add_job(status="Completed")

        response = client.batch_delete_evaluation_job(jobIdentifiers=arns)

        assert response["evaluationJobs"] == [{"jobIdentifier": a, "jobStatus": "Deleting"} for a in arns]
        assert all(emu.get_job(a) is None for a in arns)
        assert emu.job_arns() == [keeper]
        assert [s["jobArn"] for s in client.list_evaluation_jobs()["jobSummaries"]] == [keeper]
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_evaluation_job(jobIdentifier=arns[0])


def test_batch_delete_per_item_errors(emu: BedrockEmulator, client: BedrockClient) -> None:
    done = emu.add_job(status="Completed")
    running = emu.add_job(status="InProgress")
    stopping = emu.add_job(status="Stopping")

    response = client.batch_delete_evaluation_job(jobIdentifiers=[MISSING_ARN, running, done, stopping, done])

    assert response["evaluationJobs"] == [{"jobIdentifier": done, "jobStatus": "Deleting"}]
    assert response["errors"][0] == {
        "jobIdentifier": MISSING_ARN,
        "code": "404",
        "message": "Unable to locate this job to delete.",
    }
    unfinished = {e["jobIdentifier"]: e for e in response["errors"][1:]}
    assert set(unfinished) == {running, stopping}
    assert {e["code"] for e in unfinished.values()} == {"409"}
    assert "InProgress" in unfinished[running]["message"]
    assert "Stopping" in unfinished[stopping]["message"]
    assert emu.job_arns(status="Deleting") == [done]
    assert set(emu.job_arns()) == {done, running, stopping}


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-arn",
        "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/TOOSHORT",
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws:bedrock:us-east-1:12345:evaluation-job/abcdefghijkl",
    ],
)
def test_batch_delete_invalid_arn_rejects_whole_request(
    emu: BedrockEmulator, client: BedrockClient, bad: str
) -> None:
    done = emu.add_job(status="Completed")
    with pytest.raises(client.exceptions.ValidationException) as exc:
        client.batch_delete_evaluation_job(jobIdentifiers=[done, bad])
    assert error_code(exc) == ("ValidationException", 400)
    assert emu.job_arns() == [done]


def test_batch_delete_accepts_other_partitions_pattern(client: BedrockClient) -> None:
    arn = "arn:aws-cn:bedrock:cn-north-1:123456789012:evaluation-job/abcdefghijkl"
    assert client.batch_delete_evaluation_job(jobIdentifiers=[arn])["errors"][0]["code"] == "404"


def test_batch_delete_size_limits(emu: BedrockEmulator, client: BedrockClient) -> None:
    arns = [emu.add_job(status="Completed") for _ in range(26)]
    with pytest.raises(client.exceptions.ValidationException):
        client.batch_delete_evaluation_job(jobIdentifiers=arns)
    assert len(emu.job_arns()) == 26
    with pytest.raises(ParamValidationError):  # the model's minimum of 1, checked by botocore
        client.batch_delete_evaluation_job(jobIdentifiers=[])
    assert len(client.batch_delete_evaluation_job(jobIdentifiers=arns[:25])["evaluationJobs"]) == 25


def test_deleting_state_lasts_deleting_seconds(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.deleting_seconds = 0.3
    arn = emu.add_job(status="Completed")

    first = client.batch_delete_evaluation_job(jobIdentifiers=[arn])
    deleted_at = time.monotonic()

    assert first["evaluationJobs"] == [{"jobIdentifier": arn, "jobStatus": "Deleting"}]
    assert client.get_evaluation_job(jobIdentifier=arn)["status"] == "Deleting"
    deleting = client.list_evaluation_jobs(statusEquals="Deleting")["jobSummaries"]
    assert [(s["jobArn"], s["status"]) for s in deleting] == [(arn, "Deleting")]
    again = client.batch_delete_evaluation_job(jobIdentifiers=[arn])
    assert again["errors"] == []
    assert again["evaluationJobs"] == [{"jobIdentifier": arn, "jobStatus": "Deleting"}]
    with pytest.raises(client.exceptions.ConflictException):
        client.stop_evaluation_job(jobIdentifier=arn)

    time.sleep(max(0.0, 0.3 - (time.monotonic() - deleted_at)) + 0.05)
    assert client.list_evaluation_jobs()["jobSummaries"] == []
    assert emu.get_job(arn) is None
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_evaluation_job(jobIdentifier=arn)


# -- Stop ---------------------------------------------------------------------------------------


def test_stop(emu: BedrockEmulator, client: BedrockClient) -> None:
    running = emu.add_job(status="InProgress", creation_time=T0)
    stopping = emu.add_job(status="Stopping", creation_time=T0)
    done = emu.add_job(status="Completed")

    assert client.stop_evaluation_job(jobIdentifier=running)["ResponseMetadata"]["HTTPStatusCode"] == 200
    client.stop_evaluation_job(jobIdentifier=stopping)

    job = client.get_evaluation_job(jobIdentifier=running)
    assert job["status"] == "Stopped"
    assert job["lastModifiedTime"] > T0
    assert client.get_evaluation_job(jobIdentifier=stopping)["status"] == "Stopped"
    with pytest.raises(client.exceptions.ConflictException) as exc:
        client.stop_evaluation_job(jobIdentifier=done)
    assert error_code(exc) == ("ConflictException", 400)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.stop_evaluation_job(jobIdentifier=MISSING_ARN)


# -- Tags ---------------------------------------------------------------------------------------


def test_tags_round_trip(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = emu.add_job(tags={"janitor:retain": "true"})

    client.tag_resource(
        resourceARN=arn, tags=[{"key": "team", "value": "search"}, {"key": "env", "value": "dev"}]
    )
    tags = client.list_tags_for_resource(resourceARN=arn)["tags"]
    assert {t["key"]: t["value"] for t in tags} == {"janitor:retain": "true", "team": "search", "env": "dev"}

    client.untag_resource(resourceARN=arn, tagKeys=["janitor:retain", "absent"])
    tags = client.list_tags_for_resource(resourceARN=arn)["tags"]
    assert {t["key"]: t["value"] for t in tags} == {"team": "search", "env": "dev"}
    job = emu.get_job(arn)
    assert job is not None
    assert job["tags"] == {"team": "search", "env": "dev"}


def test_tag_operations_on_missing_resource(client: BedrockClient) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(resourceARN=MISSING_ARN)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.tag_resource(resourceARN=MISSING_ARN, tags=[{"key": "k", "value": "v"}])
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.untag_resource(resourceARN=MISSING_ARN, tagKeys=["k"])


# -- Wire format --------------------------------------------------------------------------------


def test_unknown_route_answers_404_error_shape(emu: BedrockEmulator) -> None:
    status, headers, body = raw_request(emu, "GET", "/no-such-thing")
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert headers["x-amzn-RequestId"]
    assert headers["Content-Type"] == "application/json"
    assert body["message"]


def test_malformed_json_is_a_validation_error(emu: BedrockEmulator) -> None:
    status, headers, body = raw_request(emu, "POST", "/evaluation-jobs/batch-delete", b"{not json")
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "ValidationException"
    assert "JSON" in body["message"]


def test_unsigned_request_is_served_with_request_id(emu: BedrockEmulator) -> None:
    emu.add_job(name="eval-1")
    status, headers, body = raw_request(emu, "GET", "/evaluation-jobs?maxResults=1")
    assert status == 200
    assert headers["x-amzn-RequestId"]
    assert names(body["jobSummaries"]) == ["eval-1"]
    assert body["jobSummaries"][0]["creationTime"].endswith("Z")


def test_get_job_snapshot_uses_api_keys(emu: BedrockEmulator) -> None:
    arn = emu.add_job(name="eval-1", status="Failed", creation_time=T0, job_type="Human")
    job = emu.get_job(arn)
    assert job is not None
    assert (job["jobName"], job["status"], job["jobType"], job["creationTime"]) == (
        "eval-1", "Failed", "Human", T0,
    )  # fmt: skip
    assert emu.get_job(arn.rsplit("/", 1)[1]) == job
    assert emu.job_arns(status="Failed") == [arn]
    assert emu.job_arns(status="Completed") == []
    with pytest.raises(ValueError, match="already exists"):
        emu.add_job(name="eval-1")
