"""Where an evaluation job saved its results in S3, and whether a key is one of them: pure, no AWS.

AWS's Bedrock user guide, "Understand how the results of your model evaluation job are saved in
Amazon S3" (docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-report-s3.html),
says a job's outputs go under `s3://<user-specified-S3-output-path>/<job-name>/<job-uuid>/`
(`datasets/...`, `models/...`, `custom_metrics`, ...), where the job-uuid is the identifier that
ends the job's ARN. So one job owns exactly the keys under `<path>/<jobName>/<jobId>/`, and
several jobs may share one output path: the path itself, and anything else under it, belongs to
no single job and is never located here.

Deleting customer objects is the one irreversible thing the janitor does outside Bedrock, so
anything that could make the prefix wider than that one job's folder is refused with a reason
(and the outputs are kept): an s3Uri outside the API's pattern, `.` or `..` or empty path
segments (a client or proxy that normalises paths would read them as another folder), a job name
or id outside Bedrock's patterns (either could carry a `/`), and a bucket not listed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

#: EvaluationOutputDataConfig.s3Uri's pattern (Bedrock API reference), with the bucket and the
#: path taken apart. Only a full match is accepted.
S3_URI = re.compile(
    r"s3://(?P<bucket>[a-z0-9][-.a-z0-9]{1,61}[a-z0-9])"
    r"(?P<path>(?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?)/?"
)
#: The jobName pattern of CreateEvaluationJob: no `/`, so a name is exactly one key segment.
JOB_NAME = re.compile(r"[a-z0-9](-*[a-z0-9]){0,62}")
#: The identifier that ends an evaluation-job ARN (the last part of EVALUATION_JOBS.arn_pattern).
JOB_ID = re.compile(r"[a-z0-9]{12}")
#: Path segments that name no folder of their own, but the same one or its parent.
_RELATIVE_SEGMENTS = frozenset({".", ".."})


@dataclass(frozen=True, slots=True)
class OutputLocation:
    """One job's outputs: every key in `bucket` that starts with `prefix`.

    `prefix` is `<path of the s3Uri>/<jobName>/<jobId>/` (`<jobName>/<jobId>/` when the s3Uri
    has no path), with no leading slash and always a trailing one, so it never matches a
    sibling whose name merely starts the same way (`run-1/` is not a prefix of `run-10/`).
    """

    bucket: str
    prefix: str


def locate_outputs(
    s3_uri: str, job_name: str, job_arn: str, allowed_buckets: Collection[str]
) -> OutputLocation | str:
    """The job's output location, or a short reason why its outputs are kept."""
    uri = S3_URI.fullmatch(s3_uri)
    if uri is None:
        return f"s3Uri {s3_uri!r} is not an S3 URI the janitor can read"
    bucket, path = uri["bucket"], uri["path"].removeprefix("/")
    segments = path.split("/") if path else []
    # The pattern already rules out empty segments (`//`); checked again because an empty
    # segment would join this job's folder to a different parent.
    if any(segment in _RELATIVE_SEGMENTS or not segment for segment in segments):
        return f"s3Uri {s3_uri!r} has an empty, '.' or '..' path segment"
    if EVALUATION_JOBS.arn_pattern.fullmatch(job_arn) is None:
        return f"job ARN {job_arn!r} is not an evaluation job's ARN"
    job_id = job_arn.rpartition("/")[2]
    if JOB_NAME.fullmatch(job_name) is None or JOB_ID.fullmatch(job_id) is None:
        return f"job name {job_name!r} or id {job_id!r} cannot be part of a key safely"
    if bucket not in allowed_buckets:
        return f"bucket {bucket} is not in outputBuckets"
    return OutputLocation(bucket, "".join(f"{segment}/" for segment in [*segments, job_name, job_id]))


def is_own_key(location: OutputLocation, key: str) -> bool:
    """Whether `key` lies under the job's own prefix (and so is one of its outputs)."""
    return key.startswith(location.prefix)
