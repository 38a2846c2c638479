"""A bucket on moto server and the S3Outputs that act on it, for the S3 outputs' tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from moto.s3.models import s3_backends

from janitor.outputs.locations import OutputLocation, locate_outputs
from janitor.outputs.s3 import S3Outputs
from localdev.services import ACCOUNT_ID, LocalAws

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

BUCKET = "eval-results"
ARN_PREFIX = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/"
#: What an automatic evaluation job writes under its own prefix (the Bedrock user guide's layout).
FILES = (
    "datasets/Builtin.BoolQ/models/m/taskTypes/Generation/0_output.jsonl",
    "models/m/taskTypes/Generation/datasets/Builtin.BoolQ/report.json",
    "custom_metrics/helpfulness.json",
)


def locate(s3_uri: str, job_name: str, job_id: str) -> OutputLocation:
    location = locate_outputs(s3_uri, job_name, f"{ARN_PREFIX}{job_id}", {BUCKET})
    assert isinstance(location, OutputLocation), location
    return location


class Bucket:
    """One bucket on moto server, and the DeleteObjects calls S3Outputs sends to it."""

    def __init__(self, local: LocalAws, versioned: bool = False) -> None:
        self.local = local
        self.s3: S3Client = local.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)
        if versioned:
            self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        #: The keys of each DeleteObjects call, in the order sent.
        self.delete_calls: list[list[str]] = []

    def outputs(
        self,
        all_versions: bool = False,
        hooks: Mapping[str, Callable[..., None]] | None = None,
        owner: str | None = ACCOUNT_ID,
    ) -> S3Outputs:
        """S3Outputs for `owner`'s buckets over a client that records DeleteObjects calls, with
        botocore event `hooks`."""

        def client() -> S3Client:
            s3: S3Client = self.local.client("s3")
            s3.meta.events.register("provide-client-params.s3.DeleteObjects", self._record_delete_call)
            for event, hook in (hooks or {}).items():
                s3.meta.events.register(event, hook)
            return s3

        return S3Outputs(client, all_versions, owner)

    def _record_delete_call(self, params: dict[str, Any], **_: Any) -> None:
        self.delete_calls.append([item["Key"] for item in params["Delete"]["Objects"]])

    def put(self, keys: Iterable[str], size: Callable[[int], int] = lambda i: 100) -> None:
        """Objects straight into moto's in-process backend (the server's own): 2,500 PUTs over
        HTTP would take this test 13 s and prove nothing about S3Outputs."""
        backend = s3_backends[ACCOUNT_ID]["aws"]
        for i, key in enumerate(keys):
            backend.put_object(BUCKET, key, b"x" * size(i))

    def keys(self, prefix: str = "") -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def versions(self, prefix: str = "") -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(versions, delete markers) under `prefix`, each (key, version id)."""
        pages = self.s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET, Prefix=prefix)
        versions, markers = [], []
        for page in pages:
            versions += [(item["Key"], item["VersionId"]) for item in page.get("Versions", [])]
            markers += [(item["Key"], item["VersionId"]) for item in page.get("DeleteMarkers", [])]
        return versions, markers
