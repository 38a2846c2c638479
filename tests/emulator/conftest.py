"""Each test gets its own emulator on a free port and boto3 clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.retries import standard

from emulator import BedrockEmulator
from tests.emulator.support import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

ClientFactory = Callable[..., "BedrockClient"]
TaggingClientFactory = Callable[..., "ResourceGroupsTaggingAPIClient"]


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    # One session for the whole run: it caches the loaded service model, which makes a client
    # cost milliseconds instead of ~100 ms.
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


@pytest.fixture
def emu() -> Iterator[BedrockEmulator]:
    with BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, seed=0) as emulator:
        yield emulator


@pytest.fixture
def make_client(boto_session: boto3.session.Session, emu: BedrockEmulator) -> ClientFactory:
    """Clients default to a single attempt so that every emulator answer reaches the test.

    ``total_max_attempts``, not ``max_attempts``: botocore reads ``max_attempts`` in a client
    Config as *retries*, so ``{"max_attempts": 1}`` still sends a request twice.
    """

    def make(target: BedrockEmulator | None = None, **config: Any) -> BedrockClient:
        settings: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}, **config}
        return boto_session.client(
            "bedrock", endpoint_url=(target or emu).endpoint_url, config=Config(**settings)
        )

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> BedrockClient:
    return make_client()


@pytest.fixture
def make_tagging_client(boto_session: boto3.session.Session, emu: BedrockEmulator) -> TaggingClientFactory:
    """Resource Groups Tagging API clients on the emulator's port; single attempt by default."""

    def make(target: BedrockEmulator | None = None, **config: Any) -> ResourceGroupsTaggingAPIClient:
        settings: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}, **config}
        return boto_session.client(
            "resourcegroupstaggingapi", endpoint_url=(target or emu).endpoint_url, config=Config(**settings)
        )

    return make


@pytest.fixture
def tagging(make_tagging_client: TaggingClientFactory) -> ResourceGroupsTaggingAPIClient:
    return make_tagging_client()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore 1.44's standard mode waits up to 1 s, doubling, after a throttle; tests need not."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


#: No stubs for bedrock-agentcore are installed: its clients are Any.
AgentCoreFactory = Callable[..., Any]


@pytest.fixture
def make_agentcore(boto_session: boto3.session.Session, emu: BedrockEmulator) -> AgentCoreFactory:
    """AgentCore clients on the emulator's port; a single attempt unless told otherwise."""

    def make(**config: Any) -> Any:
        settings: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}, **config}
        return boto_session.client(
            "bedrock-agentcore", endpoint_url=emu.endpoint_url, config=Config(**settings)
        )

    return make


@pytest.fixture
def agentcore(make_agentcore: AgentCoreFactory) -> Any:
    return make_agentcore()
