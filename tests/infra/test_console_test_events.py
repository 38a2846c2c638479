"""The Lambda console's shareable test events: one OpenApi3 schema in `lambda-testevent-schemas`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.config import ConfigError
from infra.console_test_events import REGISTRY_NAME, TEST_EVENTS
from janitor.overrides import Overrides, apply_overrides, parse_invocation
from janitor.settings import load_settings
from tests.infra.synthesis import Synth, logical_id, only

DEFAULT_SETTINGS = load_settings({"NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t"})


def schema_document(template: Template) -> dict[str, Any]:
    return json.loads(only(template, "AWS::EventSchemas::Schema")["Content"])  # type: ignore[no-any-return]


def test_by_default_one_schema_names_the_function_and_holds_exactly_the_three_events(
    template: Template,
) -> None:
    schema = only(template, "AWS::EventSchemas::Schema")
    function = logical_id(template, "AWS::Lambda::Function", "JanitorFunction")
    assert schema["RegistryName"] == REGISTRY_NAME == "lambda-testevent-schemas"
    assert schema["SchemaName"] == {"Fn::Join": ["", ["_", {"Ref": function}, "-schema"]]}
    assert schema["Type"] == "OpenApi3"
    document = schema_document(template)
    assert document["openapi"] == "3.0.0"
    assert document["components"]["examples"] == {
        "dry-run": {"value": {"dryRun": True}},
        "normal-run": {"value": {}},
        "last-week-at-most-50": {"value": {"olderThanDays": 7, "maxDeletions": 50}},
    }
    assert {name: example["value"] for name, example in document["components"]["examples"].items()} == (
        TEST_EVENTS
    )


def test_by_default_the_registry_is_left_to_the_account(template: Template) -> None:
    # The console creates it on the first shareable event; a second one fails the deploy.
    template.resource_count_is("AWS::EventSchemas::Registry", 0)
    [schema] = template.find_resources("AWS::EventSchemas::Schema").values()
    assert "DependsOn" not in schema


def test_create_test_event_registry_creates_it_before_the_schema_and_keeps_it(synth: Synth) -> None:
    template = synth(createTestEventRegistry="true")
    registry = logical_id(template, "AWS::EventSchemas::Registry", "ConsoleTestEvents")
    assert only(template, "AWS::EventSchemas::Registry")["RegistryName"] == "lambda-testevent-schemas"
    [schema] = template.find_resources("AWS::EventSchemas::Schema").values()
    assert registry in schema["DependsOn"]
    # Other functions' console-saved events live in the same registry.
    assert template.find_resources("AWS::EventSchemas::Registry")[registry]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("name", sorted(TEST_EVENTS))
def test_each_event_is_one_the_function_accepts_with_the_default_deployment(name: str) -> None:
    settings = apply_overrides(DEFAULT_SETTINGS, parse_invocation(TEST_EVENTS[name]))
    expected = {
        "dry-run": (True, DEFAULT_SETTINGS.retention_days, DEFAULT_SETTINGS.max_deletions),
        "normal-run": (
            DEFAULT_SETTINGS.dry_run,
            DEFAULT_SETTINGS.retention_days,
            DEFAULT_SETTINGS.max_deletions,
        ),
        "last-week-at-most-50": (DEFAULT_SETTINGS.dry_run, 7, 50),
    }[name]
    assert (settings.dry_run, settings.retention_days, settings.max_deletions) == expected


def test_the_schema_describes_the_overrides_a_person_may_send_and_admits_every_event(
    template: Template,
) -> None:
    document = schema_document(template)
    event_schema = document["components"]["schemas"]["Event"]
    person_facing = {field.alias or name for name, field in Overrides.model_fields.items()} - {
        "organizationRun"
    }
    assert set(event_schema["properties"]) == person_facing
    # bool is an int in Python, and the function refuses 1 for true (strict), so compare exactly.
    json_type = {bool: "boolean", int: "integer", dict: "object"}
    for example in document["components"]["examples"].values():
        for key, value in example["value"].items():
            assert json_type[type(value)] == event_schema["properties"][key]["type"], key


def test_a_bad_create_test_event_registry_stops_synth_naming_the_key(synth: Synth) -> None:
    with pytest.raises(ConfigError, match=r"createTestEventRegistry: must be true or false \(got 'yes'\)"):
        synth(createTestEventRegistry="yes")
