"""OutputCleanup across invocations: the function keeps it warm, so nothing one run learnt (a
GetEvaluationJob that failed) may stick to the next."""

from __future__ import annotations

from janitor.deadline import NO_DEADLINE, Deadline
from janitor.job_outputs import OutputLocation
from janitor.job_store import BedrockCallError
from janitor.output_cleanup import OutputCleanup
from janitor.s3_outputs import OutputCount, OutputRemoval

ARN = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/a1b2c3d4e5f6"


class ThrottledOnce:
    def __init__(self) -> None:
        self.calls = 0

    def output_of(self, arn: str, deadline: Deadline) -> tuple[str, str]:
        self.calls += 1
        if self.calls == 1:
            raise BedrockCallError("ThrottlingException", "Rate exceeded")
        return "nightly", "s3://eval-results/evals/"


class NoObjects:
    def count(self, location: OutputLocation) -> OutputCount:
        return OutputCount()

    def remove(self, location: OutputLocation) -> OutputRemoval:
        return OutputRemoval()


def test_a_failed_lookup_in_one_run_is_tried_again_in_the_next() -> None:
    cleanup = OutputCleanup(ThrottledOnce(), NoObjects(), {"eval-results"})

    first = cleanup.locate([ARN], NO_DEADLINE)
    second = cleanup.locate([ARN], NO_DEADLINE)

    reason = first[ARN]
    assert isinstance(reason, str)
    assert "ThrottlingException" in reason
    assert second[ARN] == OutputLocation("eval-results", "evals/nightly/a1b2c3d4e5f6/")
