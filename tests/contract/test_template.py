"""``template.yaml`` agrees with the code: keys, settings, handlers, limits, least privilege."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.adapters.aws.s3_raw_store import PENDING, STATE_TAG
from core.adapters.aws.table_design import table_definition
from core.models import ArticleStatus
from core.settings import Settings
from tests.contract.template_yaml import TEMPLATE, load_template

SRC = TEMPLATE.parent / "src"


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


@pytest.mark.parametrize("name", ["ArticlesTable", "IndexTable", "IdempotencyTable"])
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
    assert set(functions) == {"IngestApiFunction", "WorkerFunction", "IndexerFunction"}
    for function in functions.values():
        module, _, name = function["Properties"]["Handler"].rpartition(".")
        source = SRC / Path(*module.split(".")).with_suffix(".py")
        assert f"def {name}(" in source.read_text(encoding="utf-8"), source


def test_worker_queue_limits(template: dict[str, Any]) -> None:
    worker = props(template, "WorkerFunction")
    queue = props(template, "IntakeQueue")
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 5
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


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for role in resources(template, "AWS::IAM::Role").values():
        for policy in role["Properties"]["Policies"]:
            out += policy["PolicyDocument"]["Statement"]
    return out


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
            assert target != "*", statement
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
