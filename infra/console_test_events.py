"""Shareable test events for the Lambda console's *Test* tab.

The console keeps a function's shareable test events as one schema in the EventBridge schema
registry `lambda-testevent-schemas`, named `_<function name>-schema`, of type `OpenApi3`
(AWS Lambda Developer Guide, "Testing Lambda functions in the console", Shareable test events:
https://docs.aws.amazon.com/lambda/latest/dg/testing-functions.html#creating-shareable-events).
The exact content is what AWS SAM CLI's `sam remote test-event put` writes for the console
(aws/aws-sam-cli, samcli/lib/shared_test_events/lambda_shared_test_event.py): an OpenAPI 3.0.0
document (`info` {version 1.0.0, title Event}, `paths` {}) whose `components.schemas` describes
the event and whose `components.examples` holds one entry per saved event, keyed by its name,
`{"value": <event>}` (SAM CLI checks only that `components` exists). The rest comes from
EventBridge's DiscoverSchema, which adds `x-amazon-events-*` extensions only to EventBridge
envelopes (source, detail-type); the console's own schemas for plain events have none, nor has this.

The registry exists once per account and Region: the console creates it the first time anyone
saves a shareable event, and creating one that already exists fails the deploy. The stack
therefore creates it only when asked (`createTestEventRegistry`).
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

REGISTRY_NAME = "lambda-testevent-schemas"
#: Event name (as the console lists it) -> the event. Each must pass janitor.overrides with the
#: default deployment's bounds (minOlderThanDays 7, maxDeletionsCeiling 10,000, dryRun false).
TEST_EVENTS: dict[str, dict[str, Any]] = {
    "dry-run": {"dryRun": True},
    "normal-run": {},
    "last-week-at-most-50": {"olderThanDays": 7, "maxDeletions": 50},
}
#: The person-facing part of janitor.overrides.Overrides; `organizationRun` is left out because
#: only the organization run's state machine sends it.
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "dryRun": {
            "type": "boolean",
            "description": "Select and report, but delete nothing.",
        },
        "olderThanDays": {
            "type": "integer",
            "minimum": 1,
            "description": "Retention for this run; at least the deployment's minOlderThanDays.",
        },
        "maxDeletions": {
            "type": "integer",
            "minimum": 1,
            "description": "Cap for this run; at most the deployment's maxDeletionsCeiling.",
        },
        "target": {
            "type": "object",
            "additionalProperties": False,
            "required": ["accountId", "region"],
            "properties": {
                "accountId": {"type": "string", "pattern": "^\\d{12}$"},
                "region": {"type": "string"},
            },
            "description": "Clean this account and Region instead of the function's own.",
        },
    },
}


def schema_content(events: dict[str, dict[str, Any]]) -> str:
    """The OpenApi3 document the console reads: the event's schema and one example per event."""
    return json.dumps(
        {
            "openapi": "3.0.0",
            "info": {"version": "1.0.0", "title": "Event"},
            "paths": {},
            "components": {
                "schemas": {"Event": EVENT_SCHEMA},
                "examples": {name: {"value": event} for name, event in events.items()},
            },
        },
        indent=2,
    )


class ConsoleTestEvents(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, function: lambda_.IFunction, create_registry: bool
    ) -> None:
        super().__init__(scope, construct_id)
        self.schema = eventschemas.CfnSchema(
            self,
            "Schema",
            registry_name=REGISTRY_NAME,
            schema_name=f"_{function.function_name}-schema",
            type="OpenApi3",
            content=schema_content(TEST_EVENTS),
            description="Shareable test events for the Lambda console's Test tab",
        )
        self.registry: eventschemas.CfnRegistry | None = None
        if create_registry:
            self.registry = eventschemas.CfnRegistry(
                self,
                "Registry",
                registry_name=REGISTRY_NAME,
                description="Shareable Lambda console test events, one schema per function",
            )
            # Other functions' shareable events, saved from the console, live in this registry
            # too: destroying this stack must not take them with it.
            self.registry.apply_removal_policy(RemovalPolicy.RETAIN)
            # The schema names the registry by a literal, so CloudFormation sees no reference.
            self.schema.add_resource_dependency(self.registry)
