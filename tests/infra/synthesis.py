"""Synthesize the stack in-process, with cdk.json's context plus a test's overrides."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from app import build_app

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONTEXT: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]

Synth = Callable[..., Template]
#: Context for the organization mode: two Regions, an OU, a listed account, 25 targets at once.
ORGANIZATION_UNIT = "ou-abcd-12345678"
ORGANIZATION: dict[str, Any] = {
    "targetRegions": "us-east-1,eu-west-1",
    "organizationUnits": ORGANIZATION_UNIT,
    "memberAccounts": "222222222222",
    "organizationId": "o-abcdefghij",
    "maxParallelTargets": "25",
}
#: Every opt-in on at once: organization mode and deleting the jobs' outputs (all versions).
EVERYTHING_ON: dict[str, Any] = {
    **ORGANIZATION,
    "deleteOutputs": "true",
    "outputBuckets": "eval-results,team-b-evals",
    "deleteOutputVersions": "true",
}


def evaluation_jobs_arn(region: str) -> dict[str, Any]:
    """How the template writes this account's evaluation jobs in one Region."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":bedrock:{region}:",
                {"Ref": "AWS::AccountId"},
                ":evaluation-job/*",
            ],
        ]
    }


def role_statements(template: Template, role_part: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to the role whose logical id holds `role_part`."""
    role = logical_id(template, "AWS::IAM::Role", role_part)
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def only(template: Template, resource_type: str) -> dict[str, Any]:
    """The properties of the template's one resource of this type."""
    [resource] = template.find_resources(resource_type).values()
    return resource["Properties"]  # type: ignore[no-any-return]


def janitor_function(template: Template) -> dict[str, Any]:
    """The properties of the janitor's function (not the coordinator's, not a custom resource's)."""
    functions = template.find_resources("AWS::Lambda::Function")
    properties: dict[str, Any] = functions[logical_id(template, "AWS::Lambda::Function", "JanitorFunction")][
        "Properties"
    ]
    return properties


def logical_id(template: Template, resource_type: str, path_part: str) -> str:
    [found] = [key for key in template.find_resources(resource_type) if path_part in key]
    return found


def synthesize(outdir: Path, *, bundle: bool = False, **overrides: Any) -> tuple[cdk.App, Template]:
    context = {**DEFAULT_CONTEXT, **overrides}
    if not bundle:
        # Template tests do not need the dependencies pip-installed into the asset.
        context["aws:cdk:bundling-stacks"] = []
    app = cdk.App(context=context, outdir=str(outdir))
    stack = build_app(app)
    app.synth()
    return app, Template.from_stack(stack)


CDK_CLI = str(REPO / "node_modules/.bin/cdk")


def cdk_environment(**extra: str) -> dict[str, str]:
    """The environment the Makefile gives the pinned CDK CLI (Node 22, the venv's python3)."""
    return {
        **os.environ,
        "CDK_HOME": str(REPO / ".cdk"),
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "PATH": os.pathsep.join(
            [str(REPO / ".venv/bin"), str(REPO / "node_modules/node/bin"), os.environ["PATH"]]
        ),
        **extra,
    }


def run_cdk(*arguments: str, **extra_environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CDK_CLI, *arguments],
        cwd=REPO,
        env=cdk_environment(**extra_environment),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
