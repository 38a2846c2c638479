"""The Lambda console's shareable test events: one OpenApi3 schema in `lambda-testevent-schemas`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from botocore.validate import ParamValidator

from app import STACK_NAME
from infra.config import ConfigError
from infra.console_test_events import REGISTRY_EXISTS, REGISTRY_NAME, REGISTRY_RESOURCE_TYPE, TEST_EVENTS
from janitor.config.function_environment import load_settings
from janitor.config.overrides import Overrides, apply_overrides, parse_invocation
from tests.infra.synthesis import REPO, Synth, logical_id, only, synthesize

DEFAULT_SETTINGS = load_settings({"NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t"})
CREATE_REGISTRY = (
    botocore.session.get_session().get_service_model("schemas").operation_model("CreateRegistry")
)


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


def registry_calls(template: Template) -> dict[str, Any]:
    """The custom resource's SDK calls by request type (Create, Update, Delete), as its handler reads them."""
    resource = only(template, REGISTRY_RESOURCE_TYPE)
    return {
        request: json.loads(resource[request])
        for request in ("Create", "Update", "Delete")
        if request in resource
    }


def test_the_registry_is_ensured_by_create_registry_before_the_schema(template: Template) -> None:
    # A registry resource would fail the deploy wherever the console made the registry already.
    template.resource_count_is("AWS::EventSchemas::Registry", 0)
    ensure = logical_id(template, REGISTRY_RESOURCE_TYPE, "ConsoleTestEventsRegistry")
    [schema] = template.find_resources("AWS::EventSchemas::Schema").values()
    assert ensure in schema["DependsOn"]
    call = registry_calls(template)["Create"]
    assert (call["service"], call["action"]) == ("schemas", "CreateRegistry")
    assert call["parameters"]["RegistryName"] == REGISTRY_NAME


def test_creating_an_existing_registry_succeeds_on_create_and_on_update(template: Template) -> None:
    calls = registry_calls(template)
    assert calls["Create"] == calls["Update"]
    for call in calls.values():
        assert call["ignoreErrorCodesMatching"] == REGISTRY_EXISTS == "^ConflictException$"
    # The physical id is a literal (not read from a response that an ignored error leaves empty),
    # so an update never replaces the resource.
    assert calls["Create"]["physicalResourceId"] == {"id": REGISTRY_NAME}


def test_the_registry_is_never_deleted(template: Template) -> None:
    # Other functions' console-saved events live in it: no call on delete, no registry resource.
    assert "Delete" not in registry_calls(template)
    assert "DeleteRegistry" not in json.dumps(template.to_json())
    assert "schemas:Delete" not in json.dumps(template.to_json())


# What the handler does with a failed call (aws-cdk-lib's aws-custom-resource-handler): it answers
# SUCCESS when `new RegExp(ignoreErrorCodesMatching).test(error.name)`, FAILED otherwise; Python's
# re.search agrees with JavaScript's RegExp.test on this pattern.
@pytest.mark.parametrize(
    "error_name",
    [
        *sorted({shape.name for shape in CREATE_REGISTRY.error_shapes} - {"ConflictException"}),
        "AccessDeniedException",
        "ExpiredTokenException",
        "ThrottlingException",
        "NotFoundException",
        "ConflictExceptionWrapper",
    ],
)
def test_only_an_existing_registry_is_ignored_any_other_error_fails_the_deploy(error_name: str) -> None:
    assert re.search(REGISTRY_EXISTS, "ConflictException")
    assert not re.search(REGISTRY_EXISTS, error_name)


def test_the_call_is_a_valid_create_registry_request_whose_conflict_is_an_existing_registry(
    template: Template,
) -> None:
    call = registry_calls(template)["Create"]
    # The parameters botocore's model of the Schemas API accepts (no Tags: those need TagResource).
    assert CREATE_REGISTRY.input_shape is not None
    report = ParamValidator().validate(call["parameters"], CREATE_REGISTRY.input_shape)
    assert not report.has_errors(), report.generate_report()
    assert set(call["parameters"]) == {"RegistryName", "Description"}
    # ConflictException is the API's answer to creating a registry that exists (HTTP 409).
    [conflict] = [shape for shape in CREATE_REGISTRY.error_shapes if shape.name == "ConflictException"]
    assert conflict.metadata["error"]["httpStatusCode"] == 409


def test_the_provider_may_create_only_this_registry_and_write_its_logs(template: Template) -> None:
    function = logical_id(template, "AWS::Lambda::Function", "AWS679f53fac002430cb0da5b7982bd2287")
    provider = template.find_resources("AWS::Lambda::Function")[function]["Properties"]
    assert provider["Handler"] == "index.handler"
    role = provider["Role"]["Fn::GetAtt"][0]
    assert "ManagedPolicyArns" not in template.find_resources("AWS::IAM::Role")[role]["Properties"]
    janitor_logs = logical_id(template, "AWS::Logs::LogGroup", "JanitorLogs")
    assert provider["LoggingConfig"] == {"LogGroup": {"Ref": janitor_logs}}
    statements = [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert sorted(statements, key=json.dumps) == sorted(
        [
            {
                "Action": "schemas:CreateRegistry",
                "Effect": "Allow",
                "Resource": {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":schemas:",
                            {"Ref": "AWS::Region"},
                            ":",
                            {"Ref": "AWS::AccountId"},
                            f":registry/{REGISTRY_NAME}",
                        ],
                    ]
                },
            },
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [janitor_logs, "Arn"]},
            },
        ],
        key=json.dumps,
    )
    # The provider runs before the schema is written, with its permission in place.
    [ensure_resource] = template.find_resources(REGISTRY_RESOURCE_TYPE).values()
    assert ensure_resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": [function, "Arn"]}
    assert any("CustomResourcePolicy" in dependency for dependency in ensure_resource["DependsOn"])


def test_create_test_event_registry_is_a_deprecated_no_op(template: Template, tmp_path: Path) -> None:
    app, with_key = synthesize(tmp_path / "cdk.out", createTestEventRegistry="true")
    assert with_key.to_json() == template.to_json()
    stack = app.node.find_child(STACK_NAME)
    Annotations.from_stack(stack).has_warning(  # type: ignore[arg-type]
        "/BedrockEvaluationJanitor/Default/ConsoleTestEvents",
        Match.string_like_regexp("createTestEventRegistry is deprecated"),
    )


def make_dry_run(target: str) -> str:
    """The commands `make` would run for `target`, printed (make -n), not run."""
    result = subprocess.run(
        ["make", "-n", target, "CONTEXT=-c olderThanDays=14"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_deploy_runs_one_cdk_deploy_and_never_asks_whether_the_registry_exists() -> None:
    commands = make_dry_run("deploy")
    assert (
        f"{REPO}/node_modules/.bin/cdk deploy --require-approval never -c olderThanDays=14 {STACK_NAME}"
        in (commands.splitlines())
    )
    for guess in ("describe-registry", "aws schemas", "createTestEventRegistry"):
        assert guess not in commands
    assert "describe-registry" not in (REPO / "Makefile").read_text()


@pytest.mark.parametrize("name", sorted(TEST_EVENTS))
def test_each_event_is_one_the_function_accepts_with_the_default_deployment(name: str) -> None:
    settings = apply_overrides(DEFAULT_SETTINGS, parse_invocation(TEST_EVENTS[name]))
    expected = {
        "dry-run": (True, DEFAULT_SETTINGS.older_than_days, DEFAULT_SETTINGS.max_deletions),
        "normal-run": (
            DEFAULT_SETTINGS.dry_run,
            DEFAULT_SETTINGS.older_than_days,
            DEFAULT_SETTINGS.max_deletions,
        ),
        "last-week-at-most-50": (DEFAULT_SETTINGS.dry_run, 7, 50),
    }[name]
    assert (settings.dry_run, settings.older_than_days, settings.max_deletions) == expected


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
