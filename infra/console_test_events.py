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
saves a shareable event, and an `AWS::EventSchemas::Registry` for one that already exists fails
the deploy. The stack therefore ensures it with a custom resource whose only call is
`schemas:CreateRegistry`, on create and on update, with the registry's `ConflictException`
(it already exists) ignored: one `cdk deploy` works whether the registry is there or not, and
any other error (AccessDenied, throttling) fails the deploy instead of being taken for "missing".
Nothing is deleted with the stack: other functions' shareable events live in the same registry.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, Annotations, Stack, Validations
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from janitor.config.overrides import Overrides

REGISTRY_NAME = "lambda-testevent-schemas"
#: The custom resource's CloudFormation type (any `Custom::` name; this one says what it is).
REGISTRY_RESOURCE_TYPE = "Custom::TestEventRegistry"
#: What CreateRegistry raises for a registry that exists (the Schemas API's 409); anchored, so
#: no other error name that merely contains it is ignored.
REGISTRY_EXISTS = "^ConflictException$"
#: Event name (as the console lists it) -> the event. Each must pass janitor.config.overrides with the
#: default deployment's bounds (minOlderThanDays 7, maxDeletionsCeiling 10,000, dryRun false).
TEST_EVENTS: dict[str, dict[str, Any]] = {
    "dry-run": {"dryRun": True},
    "normal-run": {},
    "last-week-at-most-50": {"olderThanDays": 7, "maxDeletions": 50},
}


def _without_null(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """One override's schema as the console shows it: a field is left out rather than null, and a
    nested model is written in place."""
    choices = [choice for choice in schema.get("anyOf", [schema]) if choice.get("type") != "null"]
    (choice,) = choices
    if "$ref" in choice:
        choice = definitions[choice["$ref"].rsplit("/", 1)[-1]]
    kept = {key: value for key, value in choice.items() if key not in {"title", "description"}}
    if "properties" in kept:
        kept["properties"] = {
            name: {key: value for key, value in field.items() if key != "title"}
            for name, field in kept["properties"].items()
        }
    description = schema.get("description")
    return {**kept, **({"description": description} if description else {})}


def event_schema() -> dict[str, Any]:
    """The person-facing part of janitor.config.overrides.Overrides, derived from its fields;
    `organizationRun` is left out because only the organization run's state machine sends it."""
    document = Overrides.model_json_schema(by_alias=True)
    definitions = document.get("$defs", {})
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: _without_null(field, definitions)
            for name, field in document["properties"].items()
            if name != "organizationRun"
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
                "schemas": {"Event": event_schema()},
                "examples": {name: {"value": event} for name, event in events.items()},
            },
        },
        indent=2,
    )


def ensure_registry_call() -> cr.AwsSdkCall:
    """CreateRegistry for the console's registry; an existing registry is success, not failure."""
    return cr.AwsSdkCall(
        service="schemas",
        action="CreateRegistry",
        parameters={
            "RegistryName": REGISTRY_NAME,
            "Description": "Shareable Lambda console test events, one schema per function",
        },
        # A literal, so an update never replaces the resource (a replacement would delete the old).
        physical_resource_id=cr.PhysicalResourceId.of(REGISTRY_NAME),
        ignore_error_codes_matching=REGISTRY_EXISTS,
    )


#: cdk-nag's findings on AwsCustomResource's provider function (a stack-level singleton that the
#: CDK creates), each with the reason a reviewer would want.
PROVIDER_FINDINGS = {
    "Serverless::Serverless-LambdaDLQ": "Invoked only by CloudFormation for this stack's custom "
    "resource: the handler answers FAILED with the error, which fails the deploy, so no event is "
    "lost for a dead-letter queue to keep.",
    "Serverless::Serverless-LambdaTracing": "One CreateRegistry call per deploy, whose outcome "
    "the stack's events show; AwsCustomResource offers no tracing setting for its provider.",
}


def acknowledge_provider_findings(provider: IConstruct) -> None:
    """Accept PROVIDER_FINDINGS on the provider function (they could move to infra/nag.py)."""
    for rule, reason in PROVIDER_FINDINGS.items():
        Validations.of(provider).acknowledge(Acknowledgment(id=rule, reason=reason))


class ConsoleTestEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        create_registry: bool | None = None,
    ) -> None:
        """`create_registry` is deprecated and ignored: the registry is ensured in every deployment."""
        super().__init__(scope, construct_id)
        if create_registry:
            Annotations.of(self).add_warning_v2(
                "janitor:createTestEventRegistryDeprecated",
                "createTestEventRegistry is deprecated and ignored: the stack creates the "
                "lambda-testevent-schemas registry only where it does not exist.",
            )
        self.schema = eventschemas.CfnSchema(
            self,
            "Schema",
            registry_name=REGISTRY_NAME,
            schema_name=f"_{function.function_name}-schema",
            type="OpenApi3",
            content=schema_content(TEST_EVENTS),
            description="Shareable test events for the Lambda console's Test tab",
        )
        registry_arn = Stack.of(self).format_arn(
            service="schemas", resource="registry", resource_name=REGISTRY_NAME
        )
        # The provider's own role, so no AWS managed policy (the CDK's default role has
        # AWSLambdaBasicExecutionRole): it may write its logs and create this one registry.
        role = iam.Role(
            self,
            "RegistryProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Bedrock evaluation-job janitor: create the console's test-event registry if missing",
        )
        # A few lines per deploy, into the function's log group: encrypted with the stack's key,
        # kept for the configured days and deleted with the stack (the CDK's default is a log group
        # of its own, unencrypted, kept two years and retained after the stack is deleted).
        log_group = function.log_group
        log_group.grant_write(role)
        self.registry = cr.AwsCustomResource(
            self,
            "Registry",
            resource_type=REGISTRY_RESOURCE_TYPE,
            on_create=ensure_registry_call(),
            # Again on update (a changed description, say): a registry deleted since is recreated.
            on_update=ensure_registry_call(),
            # No on_delete: other functions' console-saved events live in the same registry.
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["schemas:CreateRegistry"], resources=[registry_arn])]
            ),
            role=role,
            log_group=log_group,
            # The SDK in Lambda's Node.js runtime; no npm install at deploy time.
            install_latest_aws_sdk=False,
            # Explicit (cdk-nag's Serverless-LambdaDefaultMemorySize); one SDK call needs little.
            memory_size=256,
        )
        # The provider function: a singleton at the stack's root, named after its purpose and UUID.
        acknowledge_provider_findings(
            Stack.of(self).node.find_child(
                "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
            )
        )
        # The schema names the registry by a literal, so CloudFormation sees no reference.
        self.schema.node.add_dependency(self.registry)
