"""BedrockEvaluationJanitor in a team's own stack: keyword arguments named after the settings,
validated by the same declarations, and the pieces a team wires further exposed."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra import BedrockEvaluationJanitor
from infra.config import ConfigError


def team_stack() -> tuple[cdk.Stack, BedrockEvaluationJanitor]:
    app = cdk.App()
    stack = cdk.Stack(app, "Platform")
    janitor = BedrockEvaluationJanitor(
        stack,
        "EvaluationJanitor",
        older_than_days=14,
        max_deletions=200,
        kinds=["evaluationJobs", "promptOptimizationJobs"],
        notification_emails=["ml-platform@example.com"],
        schedule_expression="cron(0 4 * * ? *)",
    )
    return stack, janitor


def test_a_teams_stack_gets_the_function_with_its_settings_the_schedule_and_the_topic() -> None:
    stack, janitor = team_stack()
    template = Template.from_stack(stack)
    function = template.to_json()["Resources"][stack.get_logical_id(janitor.function.node.default_child)]  # type: ignore[arg-type]
    variables = function["Properties"]["Environment"]["Variables"]
    assert (variables["OLDER_THAN_DAYS"], variables["MAX_DELETIONS"]) == ("14", "200")
    assert variables["KINDS"] == "evaluationJobs,promptOptimizationJobs"
    [schedule] = template.find_resources("AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["ScheduleExpression"] == "cron(0 4 * * ? *)"
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ml-platform@example.com"}
    )
    assert janitor.topic is janitor.notifications.topic
    assert janitor.role is janitor.janitor.role
    assert janitor.state_machine is None, "no organization run without targetRegions or units"


def test_a_bad_argument_is_refused_by_its_own_name_before_anything_is_created() -> None:
    stack = cdk.Stack(cdk.App(), "Platform")
    with pytest.raises(
        ConfigError,
        match=r"BedrockEvaluationJanitor arguments: older_than_days: .*greater than or equal to 1",
    ):
        BedrockEvaluationJanitor(stack, "Janitor", older_than_days=0)
    with pytest.raises(ConfigError, match="retention_days: is not a setting"):
        BedrockEvaluationJanitor(stack, "Janitor", retention_days=14)  # type: ignore[call-arg]
    assert not stack.node.children, "nothing created"


def test_the_constructs_arguments_are_every_setting_a_person_sets() -> None:
    from infra.config import FUNCTION_SETTINGS, STACK_SETTINGS
    from infra.janitor_construct import JanitorArguments

    assert set(JanitorArguments.__annotations__) == {*FUNCTION_SETTINGS.values(), *STACK_SETTINGS.values()}
