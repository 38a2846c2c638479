"""The organization run's state machine, checked by a third-party ASL validator.

cfn-lint does not look inside the `Fn::Join` the CDK writes for a `DefinitionString`, so each
state machine of the stack with every opt-in on is rendered here as deployed (its references
replaced by literal values of the shape CloudFormation gives them) and handed to the pinned
`asl-validator` (package.json): the JSON schema of the Amazon States Language, JSONPath and
JSONata included, the Distributed Map's fields, reachable states and transition targets, and
ARN-shaped Task resources.

What asl-validator 4.0.0 does not check (leniencies of its schemas, not rules skipped here):
unknown or mistyped fields inside a Retry or Catch entry, an ItemReader (its ReaderConfig admits
anything), a ResultWriter or a ProcessorConfig pass; and the ItemReader's and ResultWriter's
Resource is any string, not an ARN. Its `--no-arn-check` and `--no-path-check` flags have no
effect in 4.0.0 (the CLI reads options commander never sets), so every check always runs.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.synthesis import EVERYTHING_ON, REPO, cdk_environment, synthesize

VALIDATOR = REPO / "node_modules/.bin/asl-validator"
#: The values CloudFormation would give the pseudo parameters in a plausible deployment.
ACCOUNT, REGION, PARTITION = "123456789012", "us-east-1", "aws"
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
}


@pytest.fixture(scope="module")
def everything_on(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The stack with every opt-in on: the state machine exists only in organization mode."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"), **EVERYTHING_ON)[1]


def physical_name(logical_id: str) -> str:
    """A name CloudFormation could generate: lower case, so it is a valid bucket name too."""
    return f"bedrockevaluationjanitor-{logical_id.lower()}"


def resolve(part: Any, resources: dict[str, Any]) -> str:
    """One element of the definition's Fn::Join, as CloudFormation would resolve it.

    Only the references the definition uses today are known; a new kind fails the test here
    rather than being rendered as something it is not.
    """
    if isinstance(part, str):
        return part
    if set(part) == {"Ref"}:
        name = part["Ref"]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        kind = resources[name]["Type"]
        if kind in {"AWS::S3::Bucket", "AWS::Lambda::Function"}:
            return physical_name(name)
    elif set(part) == {"Fn::GetAtt"}:
        name, attribute = part["Fn::GetAtt"]
        kind = resources[name]["Type"]
        if (kind, attribute) == ("AWS::Lambda::Function", "Arn"):
            return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{physical_name(name)}"
        if (kind, attribute) == ("AWS::S3::Bucket", "Arn"):
            return f"arn:{PARTITION}:s3:::{physical_name(name)}"
    raise AssertionError(f"no literal value for {part} in a state machine definition")


def rendered_definitions(template: Template) -> dict[str, dict[str, Any]]:
    """Each state machine's definition (by logical id) as the service receives it."""
    resources = template.to_json()["Resources"]
    definitions = {}
    for logical_id, machine in template.find_resources("AWS::StepFunctions::StateMachine").items():
        body = machine["Properties"]["DefinitionString"]
        separator, parts = body["Fn::Join"] if isinstance(body, dict) else ("", [body])
        definitions[logical_id] = json.loads(separator.join(resolve(part, resources) for part in parts))
    return definitions


def validate(definition: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    """asl-validator on one definition file: exit 0 valid, 1 invalid, 2 could not run."""
    path.write_text(json.dumps(definition, indent=2))
    return subprocess.run(
        [str(VALIDATOR), "--json-path", str(path)],
        env=cdk_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_rendered_definitions_are_the_state_machines_of_the_stack(everything_on: Template) -> None:
    definitions = rendered_definitions(everything_on)
    assert len(definitions) == 1, "one state machine: the organization run"
    [definition] = definitions.values()
    assert definition["StartAt"] == "ListTargets"
    rendered = json.dumps(definition)
    assert "arn:aws:lambda:us-east-1:123456789012:function:bedrockevaluationjanitor-" in rendered
    assert "Fn::" not in rendered
    assert '"Ref"' not in rendered


def test_asl_validator_accepts_every_state_machine_definition(
    everything_on: Template, tmp_path: Path
) -> None:
    for logical_id, definition in rendered_definitions(everything_on).items():
        result = validate(definition, tmp_path / f"{logical_id}.asl.json")
        assert result.returncode == 0, f"{logical_id}:\n{result.stdout}{result.stderr}"
        assert "is valid" in result.stdout


def _states(definition: dict[str, Any]) -> dict[str, Any]:
    return definition["States"]  # type: ignore[no-any-return]


def _child_states(definition: dict[str, Any]) -> dict[str, Any]:
    return _states(definition)["CleanEachTarget"]["ItemProcessor"]["States"]  # type: ignore[no-any-return]


#: A mistake, where it is made, and what asl-validator names.
BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "an unknown field in a Task state": (
        lambda d: _states(d)["ListTargets"].update(Bogus=1),
        "/States/ListTargets is invalid",
    ),
    "an unknown field in a Task state inside the Distributed Map": (
        lambda d: _child_states(d)["CleanTarget"].update(Bogus=1),
        "/States/CleanEachTarget/ItemProcessor/States/CleanTarget is invalid",
    ),
    "a Task resource that is not an ARN": (
        lambda d: _states(d)["Gather"].update(Resource="coordinator"),
        "/States/Gather/Resource is invalid",
    ),
    "a transition to a state that does not exist": (
        lambda d: _states(d)["ListTargets"].update(Next="CleanEveryTarget"),
        "Missing 'StartAt'|'Next'|'Default' target: CleanEveryTarget",
    ),
    "a path that is not JSONPath": (
        lambda d: _states(d)["CleanEachTarget"]["ItemReader"]["Parameters"].update({"Key.$": "targets.key"}),
        "/States/CleanEachTarget/ItemReader/Parameters/Key.$ is invalid",
    ),
    "a misspelled intrinsic function": (
        lambda d: _child_states(d)["RecordTargetFailure"]["Parameters"].update(
            {"Body.$": "States.JsonToStrin($)"}
        ),
        "/States/CleanEachTarget/ItemProcessor/States/RecordTargetFailure/Parameters/Body.$ is invalid",
    ),
    "a tolerated failure percentage above 100": (
        lambda d: _states(d)["CleanEachTarget"].update(ToleratedFailurePercentage=101),
        "/States/CleanEachTarget/ToleratedFailurePercentage is invalid",
    ),
}


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_asl_validator_rejects_the_same_definition_with_a_mistake_naming_it(
    everything_on: Template, tmp_path: Path, mistake: str
) -> None:
    break_it, named = BROKEN[mistake]
    [definition] = rendered_definitions(everything_on).values()
    break_it(definition)
    result = validate(definition, tmp_path / "broken.asl.json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert named in result.stderr, result.stderr
