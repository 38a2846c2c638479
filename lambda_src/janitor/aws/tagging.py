"""The only module that talks to the Resource Groups Tagging API: the tags of many jobs per call.

`tag:GetResources` with a `ResourceARNList` of up to 100 ARNs answers with the tags of those
that have any; Cloud Custodian reads evaluation jobs' tags this way, and its recordings from a
real account show it answering for `evaluation-job` ARNs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.sdk import client_config
from janitor.aws.worker_clients import WorkerClients, call_error
from janitor.core.deadline import NO_DEADLINE, Deadline
from janitor.core.job_store import TAG_INDEX_BATCH_SIZE

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient


def create_tagging_client(
    session: boto3.session.Session, max_concurrency: int
) -> ResourceGroupsTaggingAPIClient:
    # No endpoint here: AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API redirects the client.
    return session.client("resourcegroupstaggingapi", config=client_config(max_concurrency))


class ResourceTagging:
    """Tags by ARN, 100 ARNs a call, each worker thread with a client of its own.

    The clients are made on first use, so a cold start that never looks tags up pays nothing.
    """

    def __init__(self, client_factory: Callable[[], ResourceGroupsTaggingAPIClient]) -> None:
        self._workers = WorkerClients(client_factory)

    def tags_of(self, arns: Sequence[str], deadline: Deadline = NO_DEADLINE) -> dict[str, dict[str, str]]:
        if not 1 <= len(arns) <= TAG_INDEX_BATCH_SIZE:
            raise ValueError(f"GetResources takes 1 to {TAG_INDEX_BATCH_SIZE} ARNs, not {len(arns)}")
        try:
            response = self._workers.for_call(deadline).get_resources(ResourceARNList=list(arns))
        except (ClientError, BotoCoreError) as error:
            raise call_error(error) from error
        return {
            mapping["ResourceARN"]: {tag["Key"]: tag["Value"] for tag in mapping.get("Tags", [])}
            for mapping in response.get("ResourceTagMappingList", [])
        }
