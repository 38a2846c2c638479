"""The job store and tag index of a target: the only module that talks to STS.

In the function's own account the function's own credentials are used (its own Region's store
is the one made at cold start); in another account the function assumes the member role there,
`arn:<partition>:iam::<account>:role/<MEMBER_ROLE_NAME>`, whose trust policy admits only the
function's role. Credentials from AssumeRole last an hour, longer than any invocation (15
minutes at most), so each invocation assumes the role afresh rather than refreshing them, and
only stores that use the function's own credentials are kept between invocations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.bedrock import BedrockLeftovers, create_kind_client
from janitor.aws.sdk import client_config, lenient_session
from janitor.aws.tagging import ResourceTagging, create_tagging_client
from janitor.aws.worker_clients import call_error
from janitor.config.overrides import Target
from janitor.core.kind import Kind
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.outputs.cleanup import OutputCleanup
from janitor.outputs.s3 import S3Outputs, create_s3_client

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

#: How the member account's CloudTrail names the janitor's sessions, before the run's name.
ROLE_SESSION_PREFIX = "bedrock-eval-janitor"
#: STS allows role session names of 2 to 64 characters of [\w+=,.@-].
_SESSION_NAME_LENGTH = 64
ASSUMED_ROLE_SECONDS = 3600


def create_sts_client(session: boto3.session.Session) -> STSClient:
    # No endpoint here: AWS_ENDPOINT_URL_STS redirects the client when it is set.
    return session.client("sts", config=client_config())


def role_session_name(organization_run: str | None, request_id: str) -> str:
    """The member role's session name: the organization run's execution name, or the
    invocation's request id, so that a member account's CloudTrail tells runs apart."""
    name = f"{ROLE_SESSION_PREFIX}-{organization_run or request_id}"
    return re.sub(r"[^A-Za-z0-9_+=,.@-]", "-", name)[:_SESSION_NAME_LENGTH]


class TargetUnreachableError(RuntimeError):
    """The member role of a target account could not be assumed: nothing there was touched."""


@dataclass(frozen=True)
class TargetStores:
    #: Each enabled kind's store, by kind name.
    leftovers: dict[str, BedrockLeftovers]
    #: tag:GetResources (its client made on first use): every kind's tags with TAG_LOOKUP=batched,
    #: and always a kind's without a tag read of its own.
    tags: ResourceTagging
    #: Removes deleted jobs' S3 outputs with the target's credentials; None: DELETE_OUTPUTS is off.
    outputs: OutputCleanup | None = None


def session_stores(
    session: boto3.session.Session,
    max_concurrency: int,
    kinds: Sequence[Kind] = (EVALUATION_JOBS,),
    output_buckets: frozenset[str] = frozenset(),
    all_output_versions: bool = False,
    bucket_owner: str | None = None,
) -> TargetStores:
    """The stores that act with `session`'s credentials in its Region (the function's targets,
    and the command line's). With `output_buckets`, outputs are removed only from buckets that
    `bucket_owner` (the session's account) owns; without an owner, no S3 call is made until
    OutputCleanup.for_target names one."""
    leftovers = {kind.name: _kind_store(session, max_concurrency, kind) for kind in kinds}
    # Its clients are made on first use, so a run that never looks tags up pays nothing.
    tags = ResourceTagging(lambda: create_tagging_client(session, max_concurrency))
    outputs = None
    with_outputs = [leftovers[kind.name] for kind in kinds if kind.has_outputs]
    if output_buckets and with_outputs:
        s3 = S3Outputs(lambda: create_s3_client(session, max_concurrency), all_output_versions, bucket_owner)
        outputs = OutputCleanup(with_outputs[0], s3, output_buckets, bucket_owner=bucket_owner)
    return TargetStores(leftovers, tags, outputs)


def _kind_store(session: boto3.session.Session, max_concurrency: int, kind: Kind) -> BedrockLeftovers:
    return BedrockLeftovers(
        create_kind_client(session, max_concurrency, kind),
        client_factory=lambda: create_kind_client(session, max_concurrency, kind),
        kind=kind,
    )


class TargetConnections:
    """Makes (and, for the function's own account, keeps) the stores of each target."""

    def __init__(
        self,
        home_session: boto3.session.Session,
        max_concurrency: int,
        kinds: Sequence[Kind],
        member_role_name: str | None,
        sts_factory: Callable[[], STSClient] | None = None,
        *,
        output_buckets: frozenset[str] = frozenset(),
        all_output_versions: bool = False,
    ) -> None:
        """`output_buckets` non-empty: remove deleted jobs' outputs there (DELETE_OUTPUTS)."""
        self._home_session = home_session
        self._max_concurrency = max_concurrency
        self._kinds = list(kinds)
        self._member_role_name = member_role_name
        self._sts_factory = sts_factory or (lambda: create_sts_client(home_session))
        self._output_buckets = output_buckets
        self._all_output_versions = all_output_versions
        #: The function's own account's stores, by Region: its own credentials act there.
        self._own_account: dict[str, TargetStores] = {}

    def stores_for(
        self, target: Target, home: Target, partition: str = "aws", session_name: str = ROLE_SESSION_PREFIX
    ) -> TargetStores:
        if target.account_id == home.account_id:
            if target.region not in self._own_account:
                self._own_account[target.region] = self._stores(lenient_session(region=target.region))
            stores = self._own_account[target.region]
        else:
            session = self._member_session(target, partition, session_name)
            stores = self._stores(session, target.account_id)
        if stores.outputs is None:
            return stores
        # Every S3 call names the target's account as the bucket owner, the function's own or the
        # member's, so a bucket of the same name elsewhere refuses (403) instead of being emptied.
        return TargetStores(stores.leftovers, stores.tags, stores.outputs.for_target(target.account_id))

    def own_region_stores(self) -> TargetStores:
        """The stores of the function's own account and Region (AWS_REGION), made now and kept.

        Its account is known only from an invocation's function ARN, so `stores_for` names the
        outputs' bucket owner then; these stores' own outputs make no S3 call."""
        stores = self._stores(self._home_session)
        self._own_account[self._home_session.region_name] = stores
        return stores

    def _stores(self, session: boto3.session.Session, bucket_owner: str | None = None) -> TargetStores:
        return session_stores(
            session,
            self._max_concurrency,
            self._kinds,
            self._output_buckets,
            self._all_output_versions,
            bucket_owner,
        )

    def _member_session(self, target: Target, partition: str, session_name: str) -> boto3.session.Session:
        if self._member_role_name is None:
            raise TargetUnreachableError(f"{target.describe()}: this deployment has no member role")
        role_arn = f"arn:{partition}:iam::{target.account_id}:role/{self._member_role_name}"
        try:
            answer = self._sts_factory().assume_role(
                RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=ASSUMED_ROLE_SECONDS
            )
        except (ClientError, BotoCoreError) as error:
            failure = call_error(error)
            raise TargetUnreachableError(
                f"Cannot assume {role_arn} for {target.describe()}: {failure.code}: {failure.message}. "
                "Deploy the member role in that account and check that its trust policy names this "
                "function's role."
            ) from error
        credentials = answer["Credentials"]
        return lenient_session(
            region=target.region,
            credentials={
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            },
        )
