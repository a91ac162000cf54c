"""``template.yaml`` agrees with the code: keys, settings, handlers, limits, least privilege."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.adapters.aws.dynamodb_batches import table_definition as batches_table_definition
from core.adapters.aws.s3_raw_store import PENDING, STATE_TAG
from core.adapters.aws.table_design import table_definition
from core.models import ArticleStatus
from core.settings import Settings
from tests.contract.template_yaml import TEMPLATE, load_template

SRC = TEMPLATE.parent / "src"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def props(template: dict[str, Any], name: str) -> dict[str, Any]:
    value: dict[str, Any] = template["Resources"][name]["Properties"]
    return value


def test_articles_table_matches_the_adapter_key_design(template: dict[str, Any]) -> None:
    table = props(template, "ArticlesTable")
    design = table_definition()
    assert table["KeySchema"] == design["KeySchema"]

    def by_name(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return sorted(items, key=lambda d: str(d[key]))

    assert by_name(table["AttributeDefinitions"], "AttributeName") == by_name(
        design["AttributeDefinitions"], "AttributeName"
    )
    assert by_name(table["GlobalSecondaryIndexes"], "IndexName") == by_name(
        design["GlobalSecondaryIndexes"], "IndexName"
    )


@pytest.mark.parametrize(
    "name", ["ArticlesTable", "IndexTable", "IdempotencyTable", "BatchesTable"]
)
def test_tables_are_on_demand_recoverable_and_encrypted(
    template: dict[str, Any], name: str
) -> None:
    table = props(template, name)
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_articles_stream_and_idempotency_ttl(template: dict[str, Any]) -> None:
    stream = props(template, "ArticlesTable")["StreamSpecification"]
    assert stream == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props(template, "IdempotencyTable")["TimeToLiveSpecification"] == {
        "AttributeName": "expiration",
        "Enabled": True,
    }


def test_batches_table_matches_the_adapter_and_expires(template: dict[str, Any]) -> None:
    table = props(template, "BatchesTable")
    design = batches_table_definition()
    assert table["KeySchema"] == design["KeySchema"]
    assert table["AttributeDefinitions"] == design["AttributeDefinitions"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_webhook_queue_feeds_the_delivery_function(template: dict[str, Any]) -> None:
    function = props(template, "WebhooksFunction")
    queue = props(template, "WebhookQueue")
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 2
    source = function["Events"]["Deliveries"]["Properties"]
    assert source["Queue"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Only the delivery function may read the signing key.
    readers = {
        role
        for role in EXPECTED_GRANTS
        if any(action.startswith("secretsmanager:") for action, _ in grants(template, role))
    }
    assert readers == {"WebhooksRole"}


def test_environment_names_real_settings(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    ours = {
        k.removeprefix("ARTICLE_INGEST_").lower() for k in variables if k.startswith("ARTICLE_")
    }
    assert ours <= set(Settings.model_fields)
    aws = {"raw_bucket", "articles_table", "index_table", "idempotency_table", "queue_url"}
    assert aws | {"event_bus_name", "backend"} <= ours
    assert variables["ARTICLE_INGEST_BACKEND"] == "aws"
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"} <= set(
        variables
    )


def test_handlers_exist(template: dict[str, Any]) -> None:
    functions = resources(template, "AWS::Serverless::Function")
    assert set(functions) == {
        "IngestApiFunction",
        "WorkerFunction",
        "IndexerFunction",
        "WebhooksFunction",
    }
    for function in functions.values():
        module, _, name = function["Properties"]["Handler"].rpartition(".")
        source = (SRC / Path(*module.split(".")).with_suffix(".py")).read_text(encoding="utf-8")
        # defined there, or built by handlers.lambda_entry (the event-driven handlers)
        assert f"def {name}(" in source or f'{name} = lambda_entry("' in source, module


def test_worker_queue_limits(template: dict[str, Any]) -> None:
    worker = props(template, "WorkerFunction")
    queue = props(template, "IntakeQueue")
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    # One place: the queue's redrive and the worker's setting both read QueueMaxReceives.
    receives = {"Ref": "QueueMaxReceives"}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == receives
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ARTICLE_INGEST_QUEUE_MAX_RECEIVES"] == receives
    parameter = template["Parameters"]["QueueMaxReceives"]
    assert parameter["Default"] == Settings.model_fields["queue_max_receives"].default
    assert parameter["MinValue"] >= 2  # at least one retry before the dead-letter queue
    source = worker["Events"]["Intake"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_indexer_stream_source(template: dict[str, Any]) -> None:
    source = props(template, "IndexerFunction")["Events"]["ArticleChanges"]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["ArticlesTable", "StreamArn"]}
    assert source["BisectBatchOnFunctionError"] is True
    assert source["MaximumRetryAttempts"] >= 1
    assert source["MaximumRecordAgeInSeconds"] >= 60
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    (pattern,) = [json.loads(f["Pattern"]) for f in source["FilterCriteria"]["Filters"]]
    statuses = pattern["dynamodb"]["NewImage"]["status"]["S"]
    assert set(statuses) <= {s.value for s in ArticleStatus}


def test_ingest_requested_rule_feeds_the_intake_queue(template: dict[str, Any]) -> None:
    rule = props(template, "IngestRequestedRule")
    assert rule["EventPattern"] == {"detail-type": ["IngestRequested"]}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["IntakeQueue", "Arn"]}
    assert target["InputTransformer"]["InputTemplate"] == "<detail>"


def test_bucket_is_private_encrypted_tls_only_with_orphan_expiry(template: dict[str, Any]) -> None:
    bucket = props(template, "RawBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rules = bucket["LifecycleConfiguration"]["Rules"]
    orphan = next(r for r in rules if r["Id"] == "ExpireOrphanObjects")
    assert orphan["TagFilters"] == [{"Key": STATE_TAG, "Value": PENDING}]
    assert orphan["Prefix"] == "raw/"
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (deny,) = props(template, "RawBucketPolicy")["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def _unconditional(statement: dict[str, Any]) -> dict[str, Any] | None:
    """A statement, or the one an ``!If [cond, statement, !Ref AWS::NoValue]`` may add."""
    if "Fn::If" in statement:
        _, present, absent = statement["Fn::If"]
        assert absent == {"Ref": "AWS::NoValue"}, statement
        return dict(present)
    return statement


def _role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    out = []
    for policy in props(template, role)["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            found = _unconditional(statement)
            if found is not None:
                out.append(found)
    return out


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for role in resources(template, "AWS::IAM::Role"):
        out += _role_statements(template, role)
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_roles_use_no_wildcard_actions_or_resources(template: dict[str, Any]) -> None:
    statements = _statements(template)
    assert statements
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all("*" not in action for action in actions), statement
        targets = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        for target in targets:
            # X-Ray has no resource-level permissions: "*" is the only resource it accepts.
            assert target != "*" or all(a.startswith("xray:") for a in actions), statement
            if isinstance(target, dict) and "Fn::Sub" in target:
                assert str(target["Fn::Sub"]).startswith("${"), statement  # scoped to our ARN


def test_functions_use_explicit_roles(template: dict[str, Any]) -> None:
    for function in resources(template, "AWS::Serverless::Function").values():
        assert "Policies" not in function["Properties"]
        assert function["Properties"]["Role"]["Fn::GetAtt"][1] == "Arn"


def test_every_checkov_skip_is_explained(template: dict[str, Any]) -> None:
    skips = [
        skip
        for resource in template["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for skip in skips:
        assert skip["id"].startswith("CKV")
        assert len(skip.get("comment", "")) > 20, skip


def test_outputs(template: dict[str, Any]) -> None:
    assert {"ApiEndpoint", "RawBucketName", "ArticlesTableName", "EventBusName"} <= set(
        template["Outputs"]
    )


def _resource_name(target: Any) -> str:
    """``!GetAtt X.Arn`` → ``X.Arn``, ``!Sub "..."`` → its text, ``"*"`` → ``*``."""
    if isinstance(target, dict) and "Fn::GetAtt" in target:
        return ".".join(target["Fn::GetAtt"])
    if isinstance(target, dict) and "Fn::Sub" in target:
        return str(target["Fn::Sub"])
    if isinstance(target, dict) and "Ref" in target:
        return str(target["Ref"])
    return str(target)


def grants(template: dict[str, Any], role: str) -> set[tuple[str, str]]:
    """Every (action, resource) a role may use, conditional statements included."""
    return {
        (action, _resource_name(target))
        for statement in _role_statements(template, role)
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
        for target in _as_list(statement["Resource"])
    }


def _each(actions: str, resource: str) -> set[tuple[str, str]]:
    return {(action, resource) for action in actions.split()}


RAW = "${RawBucket.Arn}/raw/*"
TRACING = _each("xray:PutTraceSegments xray:PutTelemetryRecords", "*")
#: Exactly what each function calls (grep ``clients.<service>().<call>`` in core/adapters/aws,
#: plus what its event source mapping needs); a test fails on any grant more or less.
EXPECTED_GRANTS: dict[str, set[tuple[str, str]]] = {
    "IngestApiRole": _each("logs:CreateLogStream logs:PutLogEvents", "IngestApiLogGroup.Arn")
    # raw pages (presigned GET, text rendering), long texts; ListBucket makes a missing key 404
    | _each("s3:GetObject s3:PutObject s3:PutObjectTagging", RAW)
    | _each("s3:ListBucket", "RawBucket.Arn")
    # article store: get, put (submissions), BatchGetItem (a listing page)
    | _each("dynamodb:GetItem dynamodb:PutItem dynamodb:BatchGetItem", "ArticlesTable.Arn")
    | _each("dynamodb:Query", "${ArticlesTable.Arn}/index/*")  # listing lanes
    # search: counters and documents by BatchGetItem, postings by Query; never GetItem
    | _each("dynamodb:BatchGetItem dynamodb:Query", "IndexTable.Arn")
    # Powertools idempotency persistence layer
    | _each(
        "dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem dynamodb:DeleteItem",
        "IdempotencyTable.Arn",
    )
    | _each("sqs:SendMessage", "IntakeQueue.Arn")  # SendMessageBatch (async submissions)
    # batches: opened (BatchWriteItem), read, items moved (TransactWriteItems of Updates) and
    # marked finished (UpdateItem), items paged (Query)
    | _each(
        "dynamodb:BatchWriteItem dynamodb:GetItem dynamodb:UpdateItem dynamodb:Query",
        "BatchesTable.Arn",
    )
    | _each("sqs:SendMessage", "WebhookQueue.Arn")  # a batch finished at once, with a webhook
    | TRACING,
    "WorkerRole": _each("logs:CreateLogStream logs:PutLogEvents", "WorkerLogGroup.Arn")
    # the event source mapping; the code itself only sends (delayed retries)
    | _each("sqs:ReceiveMessage sqs:DeleteMessage sqs:GetQueueAttributes", "IntakeQueue.Arn")
    | _each("sqs:SendMessage", "IntakeQueue.Arn")
    | _each("s3:GetObject s3:PutObject s3:PutObjectTagging", RAW)
    | _each("s3:ListBucket", "RawBucket.Arn")
    | _each("dynamodb:GetItem dynamodb:PutItem", "ArticlesTable.Arn")
    # a discovered feed's URLs form a batch
    | _each("dynamodb:BatchWriteItem dynamodb:GetItem dynamodb:UpdateItem", "BatchesTable.Arn")
    | TRACING,
    "IndexerRole": _each("logs:CreateLogStream logs:PutLogEvents", "IndexerLogGroup.Arn")
    | _each(
        "dynamodb:DescribeStream dynamodb:GetRecords dynamodb:GetShardIterator",
        "ArticlesTable.StreamArn",
    )
    | _each("dynamodb:ListStreams", "${ArticlesTable.Arn}/stream/*")
    | _each("sqs:SendMessage", "IndexerFailureQueue.Arn")  # on-failure destination
    | _each("dynamodb:GetItem dynamodb:PutItem", "ArticlesTable.Arn")
    | _each("s3:GetObject s3:PutObject s3:PutObjectTagging", RAW)  # long texts
    | _each("s3:ListBucket", "RawBucket.Arn")
    # search index and SimHash bands: get/put/delete, BatchWriteItem, Query, and
    # TransactWriteItems of Put/Update/Delete (no ConditionCheck, no BatchGetItem)
    | _each(
        "dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem dynamodb:DeleteItem"
        " dynamodb:Query dynamodb:BatchWriteItem",
        "IndexTable.Arn",
    )
    | _each("events:PutEvents", "ArticleEventsBus.Arn")
    # batch progress: memberships (Query), items moved, batch finished; its webhook queued
    | _each("dynamodb:GetItem dynamodb:UpdateItem dynamodb:Query", "BatchesTable.Arn")
    | _each("sqs:SendMessage", "WebhookQueue.Arn")
    | TRACING,
    "WebhooksRole": _each("logs:CreateLogStream logs:PutLogEvents", "WebhooksLogGroup.Arn")
    | _each("sqs:ReceiveMessage sqs:DeleteMessage sqs:GetQueueAttributes", "WebhookQueue.Arn")
    | _each("sqs:SendMessage", "WebhookQueue.Arn")  # the next attempt, delayed
    | _each("dynamodb:GetItem dynamodb:UpdateItem", "BatchesTable.Arn")
    | _each("secretsmanager:GetSecretValue", "WebhookSigningSecret")
    | TRACING,
}


@pytest.mark.parametrize("role", sorted(EXPECTED_GRANTS))
def test_each_role_grants_exactly_what_its_function_calls(
    template: dict[str, Any], role: str
) -> None:
    found = grants(template, role)
    assert found - EXPECTED_GRANTS[role] == set(), "excess grants"
    assert EXPECTED_GRANTS[role] - found == set(), "missing grants"


def test_the_code_makes_no_call_the_grants_omit() -> None:
    """Every AWS operation the adapters call is one of those the expected grants cover."""
    import boto3

    aws = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION)
    operations: set[str] = set()
    for service in ("s3", "dynamodb", "sqs", "events", "secretsmanager"):
        operations |= set(aws.client(service).meta.method_to_api_mapping)  # type: ignore[call-overload]
    calls: set[str] = set()
    for source in (SRC / "core" / "adapters" / "aws").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        called = set(re.findall(r"\.(\w+)\(", text))
        calls |= called & (operations | {"generate_presigned_url"})
        assert "ConditionCheck" not in text, source  # would need dynamodb:ConditionCheckItem
    assert calls == {
        "get_object",
        "head_object",  # s3:GetObject
        "put_object",
        "put_object_tagging",
        "list_objects_v2",  # s3:ListBucket: the S3 version log (GET /articles/{id}/versions)
        "generate_presigned_url",  # signs an s3:GetObject
        "get_item",
        "put_item",
        "delete_item",
        "update_item",  # the search index's count shards (IndexerRole: dynamodb:UpdateItem)
        "batch_get_item",
        "batch_write_item",
        "query",
        "transact_write_items",  # Put/Update/Delete items: PutItem, UpdateItem, DeleteItem
        "send_message_batch",  # sqs:SendMessage
        "send_message",  # sqs:SendMessage (a webhook delivery, delayed retries)
        "get_secret_value",  # the webhook signing key (WebhooksRole only)
        "put_events",
    }


def test_tracing_is_a_parameter(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["EnableTracing"]
    assert parameter["AllowedValues"] == ["true", "false"]
    assert template["Conditions"]["TracingEnabled"] == {
        "Fn::Equals": [{"Ref": "EnableTracing"}, "true"]
    }
    function = template["Globals"]["Function"]
    assert function["Tracing"] == {"Fn::If": ["TracingEnabled", "Active", "PassThrough"]}
    variables = function["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACE_DISABLED"] == {"Fn::If": ["TracingEnabled", "false", "true"]}
    for role in EXPECTED_GRANTS:
        (tracing,) = [
            s
            for policy in props(template, role)["Policies"]
            for s in policy["PolicyDocument"]["Statement"]
            if "Fn::If" in s
        ]
        assert tracing["Fn::If"][0] == "TracingEnabled", role
    for name, function_resource in resources(template, "AWS::Serverless::Function").items():
        module = function_resource["Properties"]["Handler"].rpartition(".")[0]
        source = (SRC / Path(*module.split("."))).with_suffix(".py").read_text(encoding="utf-8")
        if "= lambda_entry(" in source:  # the entry point lambda_entry builds is traced
            source = (SRC / "handlers" / "lambda_entry.py").read_text(encoding="utf-8")
        assert "@tracing.capture_lambda_handler\n" in source, name


def test_architecture_defaults_to_arm64(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["Architecture"]
    assert parameter["Default"] == "arm64"
    assert set(parameter["AllowedValues"]) == {"arm64", "x86_64"}
    assert template["Globals"]["Function"]["Architectures"] == [{"Ref": "Architecture"}]
    for function in resources(template, "AWS::Serverless::Function").values():
        assert "Architectures" not in function["Properties"]


def _evaluate(expression: Any, parameters: dict[str, Any]) -> Any:
    """The few rule functions the template's Rules use, as CloudFormation evaluates them."""
    if not isinstance(expression, dict):
        return expression
    ((name, args),) = expression.items()
    if name == "Ref":
        return parameters[args]
    values = [_evaluate(a, parameters) for a in _as_list(args)]
    if name == "Fn::Not":
        return not values[0]
    if name == "Fn::Equals":
        return values[0] == values[1]
    if name == "Fn::Contains":
        return values[1] in values[0]
    raise AssertionError(f"rule function not understood by this test: {name}")


def _rules_hold(template: dict[str, Any], **given: str) -> bool:
    values: dict[str, Any] = {}
    for name, parameter in template["Parameters"].items():
        raw = given.get(name, str(parameter.get("Default", "")))
        values[name] = raw.split(",") if parameter["Type"] == "CommaDelimitedList" else raw
    for rule in template["Rules"].values():
        if "RuleCondition" in rule and not _evaluate(rule["RuleCondition"], values):
            continue
        if not all(_evaluate(a["Assert"], values) for a in rule["Assertions"]):
            return False
    return True


def test_jwt_audience_is_required_with_an_issuer(template: dict[str, Any]) -> None:
    issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert _rules_hold(template)  # the defaults: IAM auth
    assert _rules_hold(template, JwtIssuer=issuer, JwtAudience="client-1,client-2")
    assert not _rules_hold(template, JwtIssuer=issuer)
    assert not _rules_hold(template, JwtIssuer=issuer, JwtAudience="client-1,")


FUNCTIONS = ("IngestApiFunction", "WorkerFunction", "IndexerFunction", "WebhooksFunction")


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in resources(template, "AWS::CloudWatch::Alarm").items()
    }


def _watching(
    template: dict[str, Any], namespace: str, metric: str, dimension: dict[str, Any]
) -> dict[str, Any]:
    (alarm,) = [
        a
        for a in _alarms(template).values()
        if (a["Namespace"], a["MetricName"]) == (namespace, metric)
        and {d["Name"]: d["Value"] for d in a["Dimensions"]} == dimension
    ]
    return alarm


def _dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """Queues where work lands when it is given up: the redrive target and the on-failure
    destination of the stream."""
    redrive = props(template, "IntakeQueue")["RedrivePolicy"]["deadLetterTargetArn"]
    webhooks = props(template, "WebhookQueue")["RedrivePolicy"]["deadLetterTargetArn"]
    stream = props(template, "IndexerFunction")["Events"]["ArticleChanges"]["Properties"]
    failure = stream["DestinationConfig"]["OnFailure"]["Destination"]
    return {redrive["Fn::GetAtt"][0], webhooks["Fn::GetAtt"][0], failure["Fn::GetAtt"][0]}


def test_alarms_watch_dead_letters_errors_throttles_lag_and_5xx(template: dict[str, Any]) -> None:
    watched = []
    queues = _dead_letter_queues(template)
    assert queues == {"IntakeDeadLetterQueue", "IndexerFailureQueue", "WebhookDeadLetterQueue"}
    for queue in queues:
        alarm = _watching(
            template,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}},
        )
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 0)
        watched.append(alarm)
    for function in FUNCTIONS:
        for metric in ("Errors", "Throttles"):
            alarm = _watching(template, "AWS/Lambda", metric, {"FunctionName": {"Ref": function}})
            assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 0)
            watched.append(alarm)
    lag = _watching(
        template, "AWS/Lambda", "IteratorAge", {"FunctionName": {"Ref": "IndexerFunction"}}
    )
    assert lag["Statistic"] == "Maximum"
    stream = props(template, "IndexerFunction")["Events"]["ArticleChanges"]["Properties"]
    assert (
        0 < lag["Threshold"] < stream["MaximumRecordAgeInSeconds"] * 1000
    )  # before records age out
    watched.append(lag)
    api = _watching(template, "AWS/ApiGateway", "5xx", {"ApiId": {"Ref": "HttpApi"}})
    assert (api["Statistic"], api["Threshold"]) == ("Sum", 0)
    watched.append(api)

    assert len(watched) == len(_alarms(template)) == 13
    notify = {"Fn::If": ["NotifyAlarms", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]}
    for alarm in watched:
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == notify
        assert alarm["OKActions"] == notify
        assert "docs/aws.md#alarms" in alarm["AlarmDescription"]


def test_alarm_topic_is_optional_and_encrypted(template: dict[str, Any]) -> None:
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    assert template["Conditions"]["NotifyAlarms"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    for name in ("AlarmTopicKey", "AlarmTopic", "AlarmTopicPolicy", "AlarmEmailSubscription"):
        assert template["Resources"][name]["Condition"] == "NotifyAlarms", name
    topic = props(template, "AlarmTopic")
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}
    key = props(template, "AlarmTopicKey")
    assert key["EnableKeyRotation"] is True
    cloudwatch = [
        s
        for s in key["KeyPolicy"]["Statement"]
        if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert cloudwatch
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    subscription = props(template, "AlarmEmailSubscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", {"Ref": "AlarmEmail"})
