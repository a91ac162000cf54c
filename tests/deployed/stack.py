"""Deploy ``template.yaml`` as built by ``sam build`` into a moto server, like a real stack.

``sam package`` + ``sam deploy`` offline: each built bundle is zipped into a deployment bucket,
the SAM template is translated by aws-sam-translator (the SAM CLI's own Python) and created
with moto's CloudFormation. What the test then needs is read back from the stack through the
AWS APIs (function configuration and environment, roles and their policies, event source
mappings, rules and targets), never from the template text.

Where moto's CloudFormation differs from AWS, a shim here makes it behave like AWS (see
``docs/aws.md``, "The deployed-shape test").
"""

from __future__ import annotations

import ast
import json
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
TRANSLATE = Path(__file__).with_name("translate.py")
DEPLOY_BUCKET = "deployed-test-artifacts"
STACK = "article-ingest-deployed-test"


@dataclass
class Function:
    """A function of the created stack, as Lambda would run it."""

    logical_id: str
    name: str
    handler: str
    timeout_s: int
    memory_mb: int
    variables: dict[str, str]
    role_name: str
    bundle: Path
    zipped_bytes: int = 0


@dataclass
class Stack:
    """What the created stack holds, read back through the AWS APIs."""

    region: str
    account: str
    physical: dict[str, str]
    outputs: dict[str, str]
    functions: dict[str, Function]
    mappings: dict[str, dict[str, Any]]  # function logical id -> its event source mapping
    policies: dict[str, list[dict[str, Any]]]  # role name -> inline policy documents
    translated: dict[str, Any] = field(repr=False, default_factory=dict)


def shim_moto() -> None:
    """Make moto's CloudFormation answer like AWS where the template depends on it.

    ``Ref`` of an ``AWS::Events::EventBus`` is its name on AWS; moto returns its model object
    (a rule's ``EventBusName: !Ref Bus`` then fails to create).
    """
    from moto.events.models import EventBus

    if not hasattr(EventBus, "physical_resource_id"):
        EventBus.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]


def stand_in_for_secrets(translated: dict[str, Any], secrets: Any) -> None:
    """Create the template's ``AWS::SecretsManager::Secret`` resources through the Secrets
    Manager API and put their ARN where the template says ``Ref``: moto's CloudFormation has no
    model for that type (it skips the resource, so every ``Ref`` to it, environment variables
    included, silently disappears). The generated value follows ``GenerateSecretString``."""
    resources = translated["Resources"]
    arns: dict[str, str] = {}
    for logical_id, resource in list(resources.items()):
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        spec = resource["Properties"].get("GenerateSecretString", {})
        value = secrets.get_random_password(
            PasswordLength=int(spec.get("PasswordLength", 32)),
            ExcludePunctuation=bool(spec.get("ExcludePunctuation", False)),
        )["RandomPassword"]
        arns[logical_id] = secrets.create_secret(Name=f"{STACK}-{logical_id}", SecretString=value)[
            "ARN"
        ]
        del resources[logical_id]

    def substitute(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in arns:
                return arns[node["Ref"]]
            return {key: substitute(value) for key, value in node.items()}
        if isinstance(node, list):
            return [substitute(value) for value in node]
        return node

    for section in ("Resources", "Outputs"):
        translated[section] = substitute(translated.get(section, {}))


def detach_moto_pollers(stack: Stack) -> None:
    """Stop moto from invoking functions itself on queue sends and stream writes.

    moto would run them in Docker (not here), and on failure make messages visible again (a
    receive counted) or drop stream records. The test is the poller instead: it reads the queue
    and the stream with the mapping's settings and runs the built bundles.
    """
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    for queue in sqs_backends[stack.account][stack.region].queues.values():
        queue.lambda_event_source_mappings.clear()
    for table in dynamodb_backends[stack.account][stack.region].tables.values():
        table.lambda_event_source_mappings.clear()


def _zip(bundle: Path, target: Path) -> int:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(bundle))
    return target.stat().st_size


def _policy(document: Any) -> dict[str, Any]:
    """An inline policy as moto returns it (a JSON string, a dict, or a Python repr)."""
    if isinstance(document, dict):
        return document
    try:
        parsed: dict[str, Any] = json.loads(document)
    except json.JSONDecodeError:
        parsed = ast.literal_eval(document)  # moto keeps CloudFormation's dict as its repr
    return parsed


def deploy(
    session: boto3.Session, endpoint: str, build_dir: Path, sam_python: Path, work: Path
) -> Stack:
    """Package, translate and create the stack; return what it holds."""

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint)  # type: ignore[call-overload]

    s3 = client("s3")
    s3.create_bucket(Bucket=DEPLOY_BUCKET)
    translated_path = work / "translated.json"
    subprocess.run(
        [
            str(sam_python),
            str(TRANSLATE),
            str(build_dir / "template.yaml"),
            DEPLOY_BUCKET,
            session.region_name,
            str(translated_path),
        ],
        check=True,
        timeout=300,
    )
    translated: dict[str, Any] = json.loads(translated_path.read_text(encoding="utf-8"))
    zipped: dict[str, int] = {}
    for logical_id, resource in translated["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        archive = work / f"{logical_id}.zip"
        zipped[logical_id] = _zip(build_dir / logical_id, archive)
        s3.upload_file(str(archive), DEPLOY_BUCKET, f"{logical_id}.zip")
        archive.unlink()

    stand_in_for_secrets(translated, client("secretsmanager"))
    cfn = client("cloudformation")
    cfn.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(translated),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    described = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    if described["StackStatus"] != "CREATE_COMPLETE":
        raise AssertionError(f"stack not created: {described}")
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    }
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    account = client("sts").get_caller_identity()["Account"]

    lam, iam = client("lambda"), client("iam")
    functions: dict[str, Function] = {}
    for logical_id in zipped:
        config = lam.get_function_configuration(FunctionName=physical[logical_id])
        functions[logical_id] = Function(
            logical_id=logical_id,
            name=config["FunctionName"],
            handler=config["Handler"],
            timeout_s=int(config["Timeout"]),
            memory_mb=int(config["MemorySize"]),
            variables={
                k: str(v) for k, v in config.get("Environment", {}).get("Variables", {}).items()
            },
            role_name=config["Role"].rsplit("/", 1)[-1],
            bundle=build_dir / logical_id,
            zipped_bytes=zipped[logical_id],
        )
    by_arn = {
        lam.get_function_configuration(FunctionName=f.name)["FunctionArn"]: f.logical_id
        for f in functions.values()
    }
    mappings = {
        by_arn[m["FunctionArn"]]: m
        for m in lam.list_event_source_mappings()["EventSourceMappings"]
        if m["FunctionArn"] in by_arn
    }
    policies = {
        f.role_name: [
            _policy(iam.get_role_policy(RoleName=f.role_name, PolicyName=p)["PolicyDocument"])
            for p in iam.list_role_policies(RoleName=f.role_name)["PolicyNames"]
        ]
        for f in functions.values()
    }
    return Stack(
        region=session.region_name,
        account=account,
        physical=physical,
        outputs=outputs,
        functions=functions,
        mappings=mappings,
        policies=policies,
        translated=translated,
    )
