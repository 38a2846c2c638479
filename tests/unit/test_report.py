import json

from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.core.report import (
    SNS_MESSAGE_LIMIT_BYTES,
    FailedJob,
    RunSummary,
    failure_messages,
    failure_subject,
    metric_values,
)

ACCOUNT, REGION = "123456789012", "ap-southeast-2"


def arn(i: int) -> str:
    return f"arn:aws:bedrock:{REGION}:{ACCOUNT}:evaluation-job/{i:012d}"


def summary_with_failures(count: int, message: str = "Internal error deleting this job.") -> RunSummary:
    summary = RunSummary(
        dry_run=False, older_than_days=30, max_deletions=1000, scanned=count + 7, eligible=count
    )
    summary.failed_jobs = [FailedJob(arn(i), "500", message) for i in range(count)]
    return summary


def test_the_summary_uses_the_documented_camel_case_keys() -> None:
    summary = summary_with_failures(1)
    summary.skipped = {"tooRecent": 2, "protected": 1}
    assert summary.to_dict() == {
        "dryRun": False,
        "olderThanDays": 30,
        "maxDeletions": 1000,
        "scanned": 8,
        "eligible": 1,
        "deleted": 0,
        "failed": 1,
        "failedJobs": [
            {"jobIdentifier": arn(0), "code": "500", "message": "Internal error deleting this job."}
        ],
        "skipped": {"protected": 1, "tooRecent": 2},
        "complete": True,
        "stoppedBy": None,
    }


def test_metric_values_are_the_run_counts() -> None:
    summary = summary_with_failures(3)
    summary.deleted = 9
    assert metric_values(summary) == {"JobsScanned": 10, "JobsEligible": 3, "JobsDeleted": 9, "JobsFailed": 3}


def test_no_failures_no_message() -> None:
    assert failure_messages(summary_with_failures(0), ACCOUNT, REGION) == []


def test_one_message_lists_every_failed_job_as_text_for_email_and_json_for_machines() -> None:
    [message] = failure_messages(summary_with_failures(3), ACCOUNT, REGION)
    assert message.subject == f"Bedrock janitor: 3 evaluation jobs not deleted ({ACCOUNT} {REGION})"
    structure = json.loads(message.message)
    assert set(structure) == {"default", "email"}, "email gets the text, every other protocol the JSON"
    assert (
        "500: Internal error deleting this job.\n" + "".join(f"- {arn(i)}\n" for i in range(3))
        in (structure["email"])
    )
    machine = json.loads(structure["default"])
    assert machine["failedJobs"][2] == {
        "jobIdentifier": arn(2),
        "code": "500",
        "message": "Internal error deleting this job.",
    }
    assert (machine["account"], machine["region"], machine["part"], machine["parts"]) == (
        ACCOUNT,
        REGION,
        1,
        1,
    )


def test_subjects_stay_under_100_characters() -> None:
    many = RunSummary(dry_run=False, older_than_days=30, max_deletions=1000)
    many.failed_jobs = [FailedJob(arn(0), "500", "x")] * 10**5
    stopped = summary_with_failures(1)
    stopped.systemic_error = {"operation": "BatchDeleteEvaluationJob", "code": "A" * 200}
    for summary in (many, stopped):
        longest = failure_subject(summary, ACCOUNT, "ap-southeast-22222222", part=999, parts=999)
        assert len(longest) < 100


def test_a_run_stopped_by_a_systemic_error_is_reported_once_even_with_no_failed_job() -> None:
    summary = RunSummary(dry_run=False, older_than_days=30, max_deletions=1000)
    summary.systemic_error = {
        "operation": "ListEvaluationJobs",
        "code": "AccessDeniedException",
        "message": "not authorized",
        "consecutiveCalls": 1,
    }
    summary.error = "ListEvaluationJobs failed with AccessDeniedException on 1 consecutive call(s)"
    [message] = failure_messages(summary, ACCOUNT, REGION)
    assert (
        message.subject
        == f"Bedrock janitor stopped: ListEvaluationJobs AccessDeniedException ({ACCOUNT} {REGION})"
    )
    document = json.loads(message.message)
    assert "stopped early" in document["email"]
    assert json.loads(document["default"])["summary"]["systemicError"]["code"] == "AccessDeniedException"


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 4000), st.integers(0, 400))
def test_a_long_list_is_split_under_256_kb_and_nothing_is_dropped(count: int, message_length: int) -> None:
    messages = failure_messages(summary_with_failures(count, "x" * message_length), ACCOUNT, REGION)
    reported = []
    for part, message in enumerate(messages, start=1):
        assert len(message.message.encode()) + len(message.subject.encode()) <= SNS_MESSAGE_LIMIT_BYTES
        assert len(message.subject) < 100
        machine = json.loads(json.loads(message.message)["default"])
        assert (machine["part"], machine["parts"]) == (part, len(messages))
        reported += [job["jobIdentifier"] for job in machine["failedJobs"]]
    assert reported == [arn(i) for i in range(count)]
    if len(messages) > 1:
        assert messages[0].subject.endswith(f"[1/{len(messages)}]")


def test_a_systemic_stops_worth_of_failures_fits_one_message() -> None:
    # Ten refused delete calls plus sixteen in flight, 25 jobs each, all refused alike.
    message = (
        "User: arn:aws:sts::123456789012:assumed-role/janitor/fn is not authorized to perform: "
        "bedrock:BatchDeleteEvaluationJob with an explicit deny in a service control policy"
    )
    summary = summary_with_failures(26 * 25)
    summary.failed_jobs = [
        FailedJob(job.job_identifier, "AccessDeniedException", message) for job in summary.failed_jobs
    ]
    assert len(failure_messages(summary, ACCOUNT, REGION)) == 1


def test_a_report_over_several_kinds_names_each_failures_kind() -> None:
    summary = summary_with_failures(0)
    evaluation = "arn:aws:bedrock-agentcore:ap-southeast-2:123456789012:batch-evaluate/nightly-Ab12Cd34Ef"
    summary.failed_jobs = [
        FailedJob(arn(1), "500", "Internal error.", kind="evaluationJobs"),
        FailedJob(evaluation, "InternalServerException", "Service error.", kind="batchEvaluations"),
    ]
    summary.noun = "Bedrock evaluation resource"
    [message] = failure_messages(summary, ACCOUNT, REGION)
    assert (
        message.subject == f"Bedrock janitor: 2 Bedrock evaluation resources not deleted ({ACCOUNT} {REGION})"
    )
    structure = json.loads(message.message)
    assert f"batchEvaluations InternalServerException: Service error.\n- {evaluation}" in structure["email"]
    machine = json.loads(structure["default"])
    assert [job["kind"] for job in machine["failedJobs"]] == ["evaluationJobs", "batchEvaluations"]
