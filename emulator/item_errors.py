"""BatchDeleteEvaluationJob's per-item error codes: the one table of what the emulator answers, and why.

The service documents ``errors`` only as "A JSON object containing the HTTP status codes and the
ARNs of evaluation jobs that failed to be deleted", and ``code`` as "A HTTP status code of the
evaluation job being deleted" (API reference, BatchDeleteEvaluationJob and
BatchDeleteEvaluationJobError): it publishes no list of codes. So every code the emulator puts
in ``errors[].code`` is a row below with its source, and a row no public source shows is marked
``invented`` (its source says INVENTED, INJECTED or ASSUMED). Nothing else in the emulator spells
a per-item code (``fail_item`` answers whatever code its caller passes, by default the injected
row's). BatchDeleteAdvancedPromptOptimizationJob answers from the same rows (its items have the
same shape), all but ACCESS_DENIED: the retain-tag Deny is emulated for evaluation jobs only.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.iam import IDENTITY_POLICY, explicit_deny_message

#: The statuses an evaluation job can be deleted in, as NOT_FINISHED words them.
EVALUATION_JOBS_FINISHED = "Completed, Failed or Stopped"


@dataclass(frozen=True)
class ItemError:
    code: str
    #: The message; ``{status}``, ``{arn}`` and ``{account_id}`` are replaced by the job's,
    #: ``{finished}`` by the statuses its kind can be deleted in.
    message: str
    #: False only for what AWS documents or has been seen to return.
    invented: bool
    source: str

    def entry(
        self, arn: str, status: str = "", account_id: str = "", finished: str = EVALUATION_JOBS_FINISHED
    ) -> dict[str, str]:
        message = self.message.format(status=status, arn=arn, account_id=account_id, finished=finished)
        return {"jobIdentifier": arn, "code": self.code, "message": message}


NOT_FOUND = ItemError(
    code="404",
    message="Unable to locate this job to delete.",
    invented=False,
    source=(
        "AWS's own example for BatchDeleteEvaluationJob ('a request to delete two model evaluation "
        "jobs, where one of the jobs is not found'), published with the SDKs: aws/aws-sdk-ruby "
        "gems/aws-sdk-bedrock/lib/aws-sdk-bedrock/client.rb, aws/aws-sdk-js-v3 "
        "clients/client-bedrock/src/commands/BatchDeleteEvaluationJobCommand.ts, and "
        "https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/Bedrock/"
        "MBedrockBatchDeleteEvaluationJobBatchDeleteEvaluationJobRequest.html"
    ),
)
NOT_FINISHED = ItemError(
    code="409",
    message="Job is {status}; only {finished} jobs can be deleted.",
    invented=True,
    source=(
        "INVENTED. AWS documents that only FAILED, COMPLETED and STOPPED jobs can be deleted "
        "(API reference; user guide 'Delete a model evaluation job') but not how it refuses the "
        "others; no response refusing an InProgress or Stopping job has been published. The "
        "emulator refuses per item, with HTTP 409 Conflict (the job exists but its state forbids "
        "the delete). The janitor never sends such jobs, so nothing depends on this code. "
        "BatchDeleteAdvancedPromptOptimizationJob refuses its unfinished jobs the same way."
    ),
)
INJECTED = ItemError(
    code="500",
    message="Internal error deleting this job.",
    invented=True,
    source=(
        "INJECTED: fault injection only (FaultConfig.item_failure_rate, and fail_item's default). "
        "It stands for a transient server-side failure of one item, with HTTP 500 as the "
        "documented meaning of the code field suggests; the service has not been seen to return it."
    ),
)
ACCESS_DENIED = ItemError(
    code="403",
    message=explicit_deny_message(
        "{account_id}", "bedrock:BatchDeleteEvaluationJob", IDENTITY_POLICY, "{arn}"
    ),
    invented=True,
    source=(
        "ASSUMED, for BedrockEmulator.enforce_retain_tag_deny(mode='item') only. IAM can deny "
        "bedrock:BatchDeleteEvaluationJob per evaluation-job ARN (the action supports "
        "aws:ResourceTag/${TagKey}), but AWS does not document whether a batch naming a denied job "
        "is refused whole (403 AccessDeniedException, mode 'call') or item by item. If item by item, "
        "the item's code would be the HTTP status of a denied request, 403, as ``code`` is documented "
        "as 'A HTTP status code of the evaluation job being deleted', and the message IAM's "
        "explicit-deny wording for that job's ARN. No such response has been published."
    ),
)

#: Every per-item code the emulator answers on its own, in one place.
ITEM_ERRORS: tuple[ItemError, ...] = (NOT_FOUND, NOT_FINISHED, INJECTED, ACCESS_DENIED)
