"""A moto server on 127.0.0.1 and the AWS resources the adapters need, created over HTTP.

Used by the contract suite and by ``scripts/invoke_built_handlers.py``. The table is created
from ``table_design.table_definition()`` — the same definition ``template.yaml`` carries (a test
compares the two).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from core.adapters.aws.dynamodb_batches import table_definition as batches_table_definition
from core.adapters.aws.table_design import table_definition
from core.settings import Settings

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@contextmanager
def moto_server() -> Iterator[str]:
    """Start a threaded moto server on 127.0.0.1 (a free port); yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def session() -> boto3.Session:
    """A boto3 session with the fake credentials moto accepts."""
    return boto3.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


def create_resources(endpoint: str, *, prefix: str = "t") -> Settings:
    """A fresh bucket, articles/index/idempotency/batches tables, intake and webhook queues
    and bus; their Settings."""
    suffix = uuid.uuid4().hex[:12]
    aws = session()

    def client(name: str) -> Any:
        return aws.client(name, endpoint_url=endpoint)  # type: ignore[call-overload]

    bucket = f"{prefix}-raw-{suffix}"
    client("s3").create_bucket(Bucket=bucket)
    ddb = client("dynamodb")
    articles = f"{prefix}-articles-{suffix}"
    ddb.create_table(
        TableName=articles,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        **table_definition(),
    )
    index = f"{prefix}-index-{suffix}"
    ddb.create_table(
        TableName=index,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )
    idempotency = f"{prefix}-idempotency-{suffix}"
    ddb.create_table(
        TableName=idempotency,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    batches = f"{prefix}-batches-{suffix}"
    ddb.create_table(TableName=batches, BillingMode="PAY_PER_REQUEST", **batches_table_definition())
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName=f"{prefix}-intake-{suffix}")["QueueUrl"]
    webhook_queue_url = sqs.create_queue(QueueName=f"{prefix}-webhooks-{suffix}")["QueueUrl"]
    bus = f"{prefix}-bus-{suffix}"
    events = client("events")
    events.create_event_bus(Name=bus)
    # The template's rule: the detail of IngestRequested events becomes an intake message.
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name=f"{prefix}-ingest-requested-{suffix}",
        EventBusName=bus,
        EventPattern=json.dumps({"detail-type": ["IngestRequested"]}),
    )
    events.put_targets(
        Rule=f"{prefix}-ingest-requested-{suffix}",
        EventBusName=bus,
        Targets=[
            {
                "Id": "intake",
                "Arn": queue_arn,
                "InputTransformer": {
                    "InputPathsMap": {"detail": "$.detail"},
                    "InputTemplate": "<detail>",
                },
            }
        ],
    )
    return Settings(
        backend="aws",
        raw_bucket=bucket,
        articles_table=articles,
        index_table=index,
        idempotency_table=idempotency,
        queue_url=queue_url,
        event_bus_name=bus,
        batches_table=batches,
        webhook_queue_url=webhook_queue_url,
        aws_endpoint_url=endpoint,
    )
