"""An organization run on loopback: the synthesized state machine executed by moto's Step Functions.

moto server (in this process) executes the hub stack's own state machine definition, reads its
items from moto's S3 and calls its Lambda functions; the member role reaches each member account
through the synthesized StackSet, created with moto's StackSets API (moto skips the
`AWS::CloudFormation::StackSet` resource but serves the API). moto's Lambda runs the handlers
through `localdev.lambda_bridge` (no Docker here), and `localdev.moto_gaps` makes STS, StackSets
and Step Functions behave as AWS does where moto is lenient.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localdev.lambda_bridge import LambdaBridge
from localdev.moto_gaps import (
    execute_state_machines,
    for_moto,
    roles_must_exist,
    stack_sets_honour_account_filters,
)
from localdev.services import ACCOUNT_ID, REGION, LocalAws, environment

REPO = Path(__file__).resolve().parents[1]
HUB_STACK = "BedrockEvaluationJanitor"
CDK_CONTEXT: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]


def synthesize_hub(outdir: Path, **context: Any) -> dict[str, Any]:
    """The hub stack's template for cdk.json's context plus `context`, its assets staged in
    `outdir` (the source with its deployment file, no dependencies bundled)."""
    import aws_cdk as cdk

    from app import build_app

    app = cdk.App(
        context={
            **CDK_CONTEXT,
            **context,
            "aws:cdk:bundling-stacks": [],
            # Each function's `aws:asset:path`: the bridge runs the handlers from their asset.
            "aws:cdk:enable-asset-metadata": True,
        },
        outdir=str(outdir),
    )
    stack = build_app(app)
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template


def resolve(value: Any, physical: Mapping[str, str]) -> Any:
    """A template value with Ref, Fn::GetAtt ...Arn and Fn::Join replaced by what `physical`
    (logical id or pseudo parameter -> name or ARN) says they are on loopback."""
    if isinstance(value, dict) and len(value) == 1:
        [(key, argument)] = value.items()
        if key == "Ref":
            return physical[argument]
        if key == "Fn::GetAtt":
            return physical[f"{argument[0]}.{argument[1]}"]
        if key == "Fn::Join":
            separator, parts = argument
            return separator.join(str(resolve(part, physical)) for part in parts)
    if isinstance(value, dict):
        return {key: resolve(item, physical) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, physical) for item in value]
    return value


def resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def janitor_functions(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The janitor's own functions (its asset's handlers), not the CDK's custom resource ones."""
    return {
        logical_id: resource
        for logical_id, resource in resources_of_type(template, "AWS::Lambda::Function").items()
        if str(resource["Properties"].get("Handler", "")).startswith("janitor.")
    }


@dataclass
class HubOnMoto:
    """The hub stack's functions and state machine, created in moto from its template."""

    state_machine_arn: str
    results_bucket: str
    coordinator: str
    janitor: str
    hub_role_arn: str


def deploy_hub(local: LocalAws, template: Mapping[str, Any], assets: Path, bridge: LambdaBridge) -> HubOnMoto:
    """Create the template's results bucket, functions (bridged, each with its asset in `assets`
    as its LAMBDA_TASK_ROOT) and state machine in moto."""
    iam, lambda_, s3, sfn = (local.client(name) for name in ("iam", "lambda", "s3", "stepfunctions"))
    [bucket_id] = resources_of_type(template, "AWS::S3::Bucket")
    [machine_id] = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    machine = template["Resources"][machine_id]["Properties"]
    physical: dict[str, str] = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID}
    physical[bucket_id] = "janitor-results"
    s3.create_bucket(Bucket=physical[bucket_id])
    [topic_id] = resources_of_type(template, "AWS::SNS::Topic")
    physical[topic_id] = local.topic_arn
    names: dict[str, str] = {}
    for role_id in resources_of_type(template, "AWS::IAM::Role"):
        role = iam.create_role(RoleName=role_id[:64], AssumeRolePolicyDocument="{}")["Role"]
        physical[f"{role_id}.Arn"] = role["Arn"]
    functions = janitor_functions(template)
    for function_id in functions:
        name = function_id.lower()[:64]
        names[function_id] = name
        physical[function_id] = name
        physical[f"{function_id}.Arn"] = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
    for function_id, resource in functions.items():
        properties = {
            key: resolve(resource["Properties"][key], physical) for key in ("Role", "Handler", "Environment")
        }
        lambda_.create_function(
            FunctionName=names[function_id],
            Runtime="python3.12",
            Role=properties["Role"],
            Handler=properties["Handler"],
            Code={"ZipFile": b"bridged: the handler runs in the test's process"},
        )
        variables = {
            **local.function_environment(),
            **properties["Environment"]["Variables"],
            "LAMBDA_TASK_ROOT": str(assets / resource["Metadata"]["aws:asset:path"]),
        }
        bridge.register(names[function_id], properties["Handler"], variables)
    definition = for_moto(resolve(machine["DefinitionString"], physical))
    created = sfn.create_state_machine(
        name=machine["StateMachineName"], definition=definition, roleArn=physical[f"{_role_of(machine)}.Arn"]
    )
    [janitor] = [name for function_id, name in names.items() if function_id.startswith("JanitorFunction")]
    [coordinator] = [name for function_id, name in names.items() if "Coordinator" in function_id]
    [janitor_role] = [
        arn for key, arn in physical.items() if key.startswith("JanitorRole") and key.endswith(".Arn")
    ]
    return HubOnMoto(created["stateMachineArn"], physical[bucket_id], coordinator, janitor, janitor_role)


def _role_of(machine: Mapping[str, Any]) -> str:
    return str(machine["RoleArn"]["Fn::GetAtt"][0])


@dataclass
class Organization:
    organization_id: str
    unit_id: str
    #: Accounts in the unit: the StackSet gives each the member role.
    members: list[str]
    #: An account listed in memberAccounts but outside the unit: no member role reaches it.
    outside: str


def build_organization(local: LocalAws, members: int = 2) -> Organization:
    """An organization whose management account is the hub's, one OU with `members` accounts,
    and one more account directly under the root."""
    organizations = local.client("organizations")
    organization_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="data-science")["OrganizationalUnit"][
        "Id"
    ]

    def account(name: str) -> str:
        status = organizations.create_account(AccountName=name, Email=f"{name}@example.com")
        return str(status["CreateAccountStatus"]["AccountId"])

    in_unit = [account(f"member-{index}") for index in range(members)]
    for member in in_unit:
        organizations.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
    return Organization(organization_id, unit, in_unit, account("outside"))


def deploy_member_role_stack_set(local: LocalAws, template: Mapping[str, Any], hub: HubOnMoto) -> None:
    """The template's StackSet, created with moto's StackSets API as CloudFormation would."""
    [resource] = resources_of_type(template, "AWS::CloudFormation::StackSet").values()
    properties = resolve(resource["Properties"], {"AWS::Region": REGION, **_hub_arns(template, hub)})
    cloudformation = local.client("cloudformation")
    cloudformation.create_stack_set(
        StackSetName=properties["StackSetName"],
        TemplateBody=properties["TemplateBody"],
        Parameters=properties["Parameters"],
        PermissionModel=properties["PermissionModel"],
        AutoDeployment=properties["AutoDeployment"],
        Capabilities=properties["Capabilities"],
    )
    for group in properties["StackInstancesGroup"]:
        cloudformation.create_stack_instances(
            StackSetName=properties["StackSetName"],
            DeploymentTargets=group["DeploymentTargets"],
            Regions=group["Regions"],
        )


def _hub_arns(template: Mapping[str, Any], hub: HubOnMoto) -> dict[str, str]:
    [janitor_role] = [
        key for key in resources_of_type(template, "AWS::IAM::Role") if key.startswith("JanitorRole")
    ]
    return {f"{janitor_role}.Arn": hub.hub_role_arn}


@dataclass
class OrganizationOnMoto:
    """The hub deployed in moto over an organization, ready to run: `start`, then `wait`."""

    local: LocalAws
    organization: Organization
    hub: HubOnMoto
    template: dict[str, Any]

    @property
    def accounts(self) -> list[str]:
        return [*self.organization.members, self.organization.outside]

    def start(self, scheduled_time: str | None) -> dict[str, Any]:
        """What the schedule does: invoke the coordinator's start (through moto's Lambda)."""
        event = {"action": "start", **({"scheduledTime": scheduled_time} if scheduled_time else {})}
        answer = self.local.client("lambda").invoke(
            FunctionName=self.hub.coordinator, Payload=json.dumps(event)
        )
        payload: dict[str, Any] = json.loads(answer["Payload"].read())
        if "FunctionError" in answer:
            raise RuntimeError(f"the coordinator failed: {payload}")
        return payload

    def wait(self, execution_arn: str, timeout: float = 900) -> dict[str, Any]:
        sfn = self.local.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            execution: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
            if execution["status"] != "RUNNING":
                return execution
            time.sleep(0.2)
        raise TimeoutError(f"{execution_arn} still running after {timeout} s")


@contextmanager
def organization_on_moto(
    local: LocalAws, regions: Sequence[str], members: int = 2, excluded_members: int = 0, **context: str
) -> Iterator[OrganizationOnMoto]:
    """An organization (`members` accounts in an OU, one listed outside it), the hub synthesized
    for it (the first `excluded_members` of the OU's accounts in excludeAccounts, and any other
    `context` keys) and deployed in moto, the member role StackSet created; moto executes state
    machines."""
    with ExitStack() as stack, environment({"MOTO_PORT": local.moto_url.rsplit(":", 1)[1]}):
        execute_state_machines(local.moto_url)
        organization = build_organization(local, members)
        assets = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        template = synthesize_hub(
            assets,
            targetRegions=",".join(regions),
            organizationUnits=organization.unit_id,
            memberAccounts=organization.outside,
            organizationId=organization.organization_id,
            excludeAccounts=",".join(organization.members[:excluded_members]),
            **context,
        )
        bridge = LambdaBridge()
        with bridge.installed(), roles_must_exist(), stack_sets_honour_account_filters():
            hub = deploy_hub(local, template, assets, bridge)
            deploy_member_role_stack_set(local, template, hub)
            yield OrganizationOnMoto(local, organization, hub, template)
