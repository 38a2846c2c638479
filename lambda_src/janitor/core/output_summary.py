"""What a run did with its deleted jobs' S3 outputs (DELETE_OUTPUTS): counts and the exceptions. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Summary count -> the CloudWatch metric it is published as (a run's or an organization's).
OUTPUT_METRIC_NAMES = {
    "outputObjectsDeleted": "OutputObjectsDeleted",
    "outputBytesDeleted": "OutputBytesDeleted",
}


@dataclass(frozen=True, slots=True)
class OutputsFailed:
    """Objects under a deleted job's own prefix that could not be deleted: the job that pointed to
    them is gone, so this report is the only trace of where they are."""

    job_identifier: str
    bucket: str
    prefix: str
    #: Objects (or versions) left behind.
    count: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "jobIdentifier": self.job_identifier,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "count": self.count,
            "error": self.error,
        }

    def describe(self) -> str:
        return (
            f"- {self.job_identifier}: {self.count} left in s3://{self.bucket}/{self.prefix} ({self.error})"
        )


@dataclass(frozen=True, slots=True)
class OutputsKept:
    """A job whose outputs the janitor left alone on purpose, and why: a deleted job's, or a job
    kept undeleted because its bucket refused the run's probe (the reason says which)."""

    job_identifier: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"jobIdentifier": self.job_identifier, "reason": self.reason}


@dataclass(slots=True)
class OutputsSummary:
    #: Objects and bytes found under the deleted (in a dry run: selected) jobs' own prefixes.
    objects_found: int = 0
    bytes_found: int = 0
    #: Of those, removed by this run (0 in a dry run).
    objects_deleted: int = 0
    bytes_deleted: int = 0
    #: Not deleted: hidden behind a delete marker by a plain delete in a versioned bucket (no
    #: deleteOutputVersions), so every version is still stored, and billed, until a lifecycle
    #: rule expires noncurrent versions.
    objects_noncurrent: int = 0
    bytes_noncurrent: int = 0
    failed: list[OutputsFailed] = field(default_factory=list)
    kept: list[OutputsKept] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outputObjectsFound": self.objects_found,
            "outputBytesFound": self.bytes_found,
            "outputObjectsDeleted": self.objects_deleted,
            "outputBytesDeleted": self.bytes_deleted,
            "outputObjectsNoncurrent": self.objects_noncurrent,
            "outputBytesNoncurrent": self.bytes_noncurrent,
            "outputsFailed": [failed.to_dict() for failed in self.failed],
            "outputsKept": [kept.to_dict() for kept in self.kept],
        }

    def metric_values(self) -> dict[str, int]:
        counts = self.to_dict()
        return {metric: counts[count] for count, metric in OUTPUT_METRIC_NAMES.items()}
