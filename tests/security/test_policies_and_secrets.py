"""IAM least privilege read from the synthesized template, and nothing secret or account-specific in the repo."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.synthesis import janitor_function, synthesize

REPO = Path(__file__).resolve().parents[2]
#: The only statements allowed on Resource "*": actions IAM defines no resource type for.
RESOURCELESS_ACTIONS = {
    "bedrock:ListEvaluationJobs",
    "tag:GetResources",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
#: AWS's documented example account: the local stand-ins (moto, the emulator) run as it.
PLACEHOLDER_ACCOUNT = "123456789012"
#: Local stand-ins for AWS, where only the placeholder account may appear; tests are not scanned.
#: Where AWS's documentation placeholder account may appear: the local stand-ins, and the docs'
#: sample output of the command line against the emulator.
FIXTURE_DIRS = ("emulator/", "localdev/", "docs/command-line.md")
#: Pinned package lists: versions and hashes, not code.
DATA_FILES = {"package-lock.json", "constraints.txt", "requirements-checkov.txt"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesize(tmp_path_factory.mktemp("cdk.out"))[1]


def statements(template: Template) -> Iterator[dict[str, Any]]:
    for policy in template.find_resources("AWS::IAM::Policy").values():
        yield from policy["Properties"]["PolicyDocument"]["Statement"]
    for role in template.find_resources("AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_statement_has_a_wildcard_action(template: Template) -> None:
    for statement in statements(template):
        assert not [action for action in as_list(statement["Action"]) if "*" in action], statement


def test_resource_star_is_only_for_actions_that_have_no_resource_type(template: Template) -> None:
    for statement in statements(template):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= RESOURCELESS_ACTIONS, statement


def test_no_role_uses_an_aws_managed_policy(template: Template) -> None:
    for role in template.find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"], role


@pytest.mark.parametrize("retain_tag_key", ["janitor:retain", "keep-forever"])
def test_the_retain_tag_deny_uses_the_tag_key_the_function_checks(
    tmp_path: Path, retain_tag_key: str
) -> None:
    _, template = synthesize(tmp_path / "cdk.out", retainTagKey=retain_tag_key)
    assert janitor_function(template)["Environment"]["Variables"]["RETAIN_TAG_KEY"] == retain_tag_key
    [deny] = [s for s in statements(template) if s["Effect"] == "Deny"]
    assert as_list(deny["Action"]) == ["bedrock:BatchDeleteEvaluationJob"]
    assert deny["Condition"] == {"StringEqualsIgnoreCase": {f"aws:ResourceTag/{retain_tag_key}": "true"}}


def tracked_text_files() -> Iterator[tuple[str, str]]:
    for path in subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split():
        file = REPO / path
        if path in DATA_FILES or not file.is_file():
            continue
        try:
            yield path, file.read_text()
        except UnicodeDecodeError:
            continue


def test_no_account_id_is_hard_coded_outside_tests_and_fixtures() -> None:
    found = []
    for path, text in tracked_text_files():
        if path.startswith("tests/"):
            continue
        # Not inside a longer number or a decimal fraction (benchmark results are full of those).
        for number in re.findall(r"(?<![0-9.])[0-9]{12}(?![0-9])", text):
            if not (path.startswith(FIXTURE_DIRS) and number == PLACEHOLDER_ACCOUNT):
                found.append(f"{path}: {number}")
    assert found == []


def test_no_access_key_or_secret_is_committed() -> None:
    keys = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b|aws_secret_access_key\s*=\s*['\"][A-Za-z0-9/+]{40}")
    assert [path for path, text in tracked_text_files() if keys.search(text)] == []


def test_the_function_code_hard_codes_no_endpoint() -> None:
    for file in (REPO / "lambda_src").rglob("*.py"):
        text = file.read_text()
        assert "amazonaws.com" not in text, file
        assert not re.search(r"https?://", text), file
