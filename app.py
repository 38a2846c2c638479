#!/usr/bin/env python3
"""The CDK app: read and validate the context, build the stack, run cdk-nag."""

from __future__ import annotations

import sys
from pathlib import Path

# The stack validates the function's settings with the function's own model.
sys.path.insert(0, str(Path(__file__).resolve().parent / "lambda_src"))

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.config import ConfigError, load_config
from infra.member_role import MEMBER_STACK_NAME, MemberRoleStack, member_role_args
from infra.stack import JanitorStack

STACK_NAME = "BedrockEvaluationJanitor"


def build_app(app: cdk.App) -> JanitorStack:
    config = load_config(app.node.try_get_context, given=app.node.get_all_context())
    # Environment-agnostic: the same template deploys to any account and region.
    stack = JanitorStack(app, STACK_NAME, config=config)
    for warning in config.warnings:
        cdk.Annotations.of(stack).add_warning_v2("janitor:deprecated-context-key", warning)
    if config.cross_account and config.member_role_name is not None:
        # For member accounts the StackSet does not reach (memberAccounts outside the OUs, the
        # management account): cdk deploy BedrockEvaluationJanitorMember --parameters HubRoleArn=...
        MemberRoleStack(app, MEMBER_STACK_NAME, **member_role_args(config))
    # The construct carries its reviewed findings (infra/nag.py); the app runs the checks.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stack


def main() -> None:
    app = cdk.App()
    try:
        build_app(app)
    except ConfigError as error:
        sys.exit(f"error: {error}")
    app.synth()


if __name__ == "__main__":
    main()
