"""JanitorStack: the app's own stack, holding the BedrockEvaluationJanitor construct."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from .config import JanitorConfig
from .janitor_construct import BedrockEvaluationJanitor


class JanitorStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: JanitorConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="Nightly janitor for Amazon Bedrock evaluation jobs", **kwargs
        )
        # "Default": the construct adds nothing to its resources' logical ids, so a stack deployed
        # before the construct existed updates in place rather than replacing them.
        self.janitor_construct = BedrockEvaluationJanitor(self, "Default", config=config)
        self.janitor = self.janitor_construct.janitor
        self.schedule = self.janitor_construct.schedule
        self.notifications = self.janitor_construct.notifications
        self.organization_run = self.janitor_construct.organization_run
