"""One run of the deployed stack, driven from outside as AWS would drive it.

``run()`` deploys the built template into moto, starts every function's bundle in its own
process and drives them: a synchronous POST (replayed with its Idempotency-Key), an async
POST, an ``IngestRequested`` event through the stack's rule and a malformed message on the
intake queue; the worker on the messages really in the queue (the mapping's batch size; failed
items stay), the indexer on the records really read from the stream (the mapping's filter and
batch size), every GET route, and events captured from the bus through a rule to a queue. It
records what it saw; the tests assert on it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.contract.moto_env import CREDENTIALS, moto_server, session
from tests.deployed import patterns
from tests.deployed.conftest import BUILD_DIR, LAMBDA_PYTHON, SAM_PYTHON
from tests.deployed.runner import LambdaProcess
from tests.deployed.stack import Stack, deploy, detach_moto_pollers, shim_moto
from tests.support.page_server import PageServer
from tests.support.webhook_receiver import Received, WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
API_EVENT = json.loads((ROOT / "events" / "api-post-articles.json").read_text(encoding="utf-8"))
SYNC_PAGES = ("harbour-solar-ferry-en.html", "huerto-urbano-es.html")
ASYNC_PAGE = "presstv-fr-gaza.html"
EVENT_PAGE = "presstv-fr-gaza-noisy.html"
POISON_BODY = "{this is not an intake message"
IDEMPOTENCY_KEY = "deployed-test-7d0c2f9e"
STREAM_ROUNDS = 6  # the indexer's own writes are stream records too; read until quiet


@dataclass
class Http:
    """An API answer as API Gateway would return it."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class World:
    """What the run saw."""

    stack: Stack
    page_port: int
    urls: dict[str, str] = field(default_factory=dict)  # page file -> URL
    answers: dict[str, Http] = field(default_factory=dict)
    raw_followed: dict[str, bytes] = field(default_factory=dict)  # article id -> object bytes
    worker_batches: list[dict[str, Any]] = field(default_factory=list)
    worker_left: list[str] = field(default_factory=list)  # bodies still in the intake queue
    ingest_requested_bodies: list[dict[str, Any]] = field(default_factory=list)
    indexer_batches: list[dict[str, Any]] = field(default_factory=list)
    stream_records: int = 0
    filtered_out: int = 0
    captured: list[dict[str, Any]] = field(default_factory=list)
    objects: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    queue_depths: dict[str, int] = field(default_factory=dict)
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # function -> calls
    init_ms: dict[str, float] = field(default_factory=dict)
    webhook_port: int = 0
    webhooks: list[Received] = field(default_factory=list)  # what the receiver saw
    webhook_key: str = ""  # the stack's signing secret, read back from Secrets Manager
    batch: dict[str, Any] = field(default_factory=dict)  # GET /batches/{id} of the async batch


def api_event(
    method: str, path: str, *, query: str = "", body: Any = None, headers: Any = None
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the template's integration sends."""
    event = json.loads(json.dumps(API_EVENT))
    event["routeKey"] = "$default"
    event["rawPath"] = path
    event["rawQueryString"] = query
    if query:
        event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    event["requestContext"]["http"].update({"method": method, "path": path})
    event["requestContext"]["routeKey"] = "$default"
    event["headers"] = {"host": event["headers"]["host"], "accept": "*/*", **(headers or {})}
    if body is None:
        event.pop("body", None)
    else:
        event["headers"]["content-type"] = "application/json"
        event["body"] = json.dumps(body)
    return event


def _http(result: dict[str, Any]) -> Http:
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    return Http(int(result["statusCode"]), headers, raw)


def _stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda passes to the function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


class Driver:
    """Runs the flow; ``calls`` also holds what the Lambda service itself does per function."""

    def __init__(self, stack: Stack, endpoint: str, page_port: int, work: Path) -> None:
        self.stack, self.endpoint, self.work = stack, endpoint, work
        self.aws = session()
        self.world = World(stack=stack, page_port=page_port)
        self.processes: dict[str, LambdaProcess] = {}
        self.service_calls: dict[str, list[dict[str, Any]]] = {f: [] for f in stack.functions}

    def client(self, name: str) -> Any:
        return self.aws.client(name, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def env(self, logical_id: str) -> dict[str, str]:
        """The function's environment from the stack, plus what Lambda and the test add."""
        function = self.stack.functions[logical_id]
        keep = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "TZ", "HOME"}}
        return {
            **keep,
            **function.variables,
            **CREDENTIALS,
            "AWS_REGION": self.stack.region,
            "AWS_DEFAULT_REGION": self.stack.region,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout_s),
            # Test only: every AWS client goes to moto, pages come from 127.0.0.1.
            "AWS_ENDPOINT_URL": self.endpoint,
            "ARTICLE_INGEST_AWS_ENDPOINT_URL": self.endpoint,
            "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "true",
            "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps(
                [80, 443, self.world.page_port, self.world.webhook_port]
            ),
            "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
        }

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for logical_id, function in self.stack.functions.items():
                process = LambdaProcess(
                    LAMBDA_PYTHON,
                    function.bundle,
                    function.handler,
                    function.timeout_s,
                    self.env(logical_id),
                    self.work / f"{logical_id}.log",
                    self.work / f"{logical_id}.calls.jsonl",
                )
                self.processes[logical_id] = stack.enter_context(process)
                self.world.init_ms[logical_id] = process.init_ms
            yield

    # ------------------------------------------------------------------ API
    def api(self, name: str, method: str, path: str, **kwargs: Any) -> Http:
        result = self.processes["IngestApiFunction"].invoke(api_event(method, path, **kwargs))
        answer = self.world.answers[name] = _http(result)
        return answer

    def submit(self) -> None:
        sync_urls = [self.world.urls[p] for p in SYNC_PAGES]
        headers = {"idempotency-key": IDEMPOTENCY_KEY}
        body = {"urls": sync_urls}
        self.api("sync", "POST", "/articles", body=body, headers=headers)
        self.api("sync-replay", "POST", "/articles", body=body, headers=headers)
        self.api(
            "async",
            "POST",
            "/articles",
            body={
                "urls": [self.world.urls[ASYNC_PAGE]],
                "async": True,
                "webhook": f"http://127.0.0.1:{self.world.webhook_port}/batches",
            },
        )

    # ------------------------------------------------------------------ EventBridge
    def ingest_requested(self) -> None:
        """Put an IngestRequested event on the stack's bus; its rule routes it to the queue."""
        bus = self.stack.outputs["EventBusName"]
        detail = {
            "schema_version": "1.0",
            "url": self.world.urls[EVENT_PAGE],
            "requested_by": "deployed-test",
        }
        envelope = {"source": "deployed-test", "detail-type": "IngestRequested", "detail": detail}
        events = self.client("events")
        rule = events.describe_rule(
            Name=self.stack.physical["IngestRequestedRule"], EventBusName=bus
        )
        if not patterns.matches(json.loads(rule["EventPattern"]), envelope):
            raise AssertionError(f"the stack's rule does not match IngestRequested: {rule}")
        answer = events.put_events(
            Entries=[
                {
                    "Source": envelope["source"],
                    "DetailType": envelope["detail-type"],
                    "Detail": json.dumps(detail),
                    "EventBusName": bus,
                }
            ]
        )
        assert answer["FailedEntryCount"] == 0, answer

    def capture_events(self) -> str:
        """A queue receiving every event the service publishes on the bus (a consumer's rule)."""
        sqs, events = self.client("sqs"), self.client("events")
        url = sqs.create_queue(QueueName="deployed-test-capture")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        bus = self.stack.outputs["EventBusName"]
        events.put_rule(
            Name="deployed-test-capture",
            EventBusName=bus,
            EventPattern=json.dumps({"source": ["article-ingest"]}),
        )
        events.put_targets(
            Rule="deployed-test-capture", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}]
        )
        return str(url)

    def drain(self, url: str) -> list[str]:
        sqs, bodies = self.client("sqs"), []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages = got.get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # ------------------------------------------------------------------ webhooks (SQS poller)
    def run_webhooks(self) -> None:
        """Deliver every queued batch webhook, as the delivery queue's event source mapping."""
        mapping = self.stack.mappings["WebhooksFunction"]
        queue_url = self.stack.outputs["WebhookQueueUrl"]

        def as_poller(operation: str, **params: Any) -> Any:
            self.service_calls["WebhooksFunction"].append(
                {"service": "sqs", "operation": operation, "params": params}
            )
            return getattr(self.client("sqs"), _snake(operation))(**params)

        for _ in range(10):
            got = as_poller(
                "ReceiveMessage",
                QueueUrl=queue_url,
                MaxNumberOfMessages=int(mapping["BatchSize"]),
                AttributeNames=["All"],
                WaitTimeSeconds=1,
            )
            messages = got.get("Messages", [])
            if not messages:
                break
            event = {
                "Records": [
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": m.get("Attributes", {}),
                        "messageAttributes": {},
                        "md5OfBody": m["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": mapping["EventSourceArn"],
                        "awsRegion": self.stack.region,
                    }
                    for m in messages
                ]
            }
            result = self.processes["WebhooksFunction"].invoke(event)
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            for message in messages:
                if message["MessageId"] not in failed:
                    as_poller(
                        "DeleteMessage", QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
        batch_id = self.world.answers["async"].json()["batch_id"]
        self.world.batch = self.api("batch", "GET", f"/batches/{batch_id}").json()
        secret = self.client("secretsmanager").get_secret_value(
            SecretId=self.stack.outputs["WebhookSigningSecretArn"]
        )
        self.world.webhook_key = secret["SecretString"]

    # ------------------------------------------------------------------ worker (SQS poller)
    def poison(self) -> None:
        self.client("sqs").send_message(
            QueueUrl=self.stack.outputs["IntakeQueueUrl"], MessageBody=POISON_BODY
        )

    def _as_worker(self, operation: str, **params: Any) -> Any:
        self.service_calls["WorkerFunction"].append(
            {"service": "sqs", "operation": operation, "params": params}
        )
        return getattr(self.client("sqs"), _snake(operation))(**params)

    def run_worker(self) -> None:
        mapping = self.stack.mappings["WorkerFunction"]
        queue_url = self.stack.outputs["IntakeQueueUrl"]
        while True:
            got = self._as_worker(
                "ReceiveMessage",
                QueueUrl=queue_url,
                MaxNumberOfMessages=int(mapping["BatchSize"]),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=1,
            )
            messages = got.get("Messages", [])
            if not messages:
                break
            for message in messages:
                if message["Body"] != POISON_BODY and "url" in message["Body"]:
                    body = json.loads(message["Body"])
                    if body.get("requested_by") == "deployed-test":
                        self.world.ingest_requested_bodies.append(body)
            event = {
                "Records": [
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": m.get("Attributes", {}),
                        "messageAttributes": m.get("MessageAttributes", {}),
                        "md5OfBody": m["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": mapping["EventSourceArn"],
                        "awsRegion": self.stack.region,
                    }
                    for m in messages
                ]
            }
            result = self.processes["WorkerFunction"].invoke(event)
            self.world.worker_batches.append({"size": len(messages), "result": result})
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            for message in messages:
                if message["MessageId"] not in failed:  # ReportBatchItemFailures
                    self._as_worker(
                        "DeleteMessage", QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["All"]
        )["Attributes"]
        self.world.queue_depths["IntakeQueue"] = int(attributes["ApproximateNumberOfMessages"])
        self.world.queue_depths["IntakeQueue in flight"] = int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    # ------------------------------------------------------------------ indexer (stream poller)
    def _as_indexer(self, operation: str, stream_arn: str, **params: Any) -> Any:
        self.service_calls["IndexerFunction"].append(
            {
                "service": "dynamodb",
                "operation": operation,
                "params": params,
                "stream_arn": stream_arn,
            }
        )
        return getattr(self.client("dynamodbstreams"), _snake(operation))(**params)

    def run_indexer(self) -> None:
        mapping = self.stack.mappings["IndexerFunction"]
        stream_arn = mapping["EventSourceArn"]
        filters = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
        batch_size = int(mapping["BatchSize"])
        shards = self._as_indexer("DescribeStream", stream_arn, StreamArn=stream_arn)[
            "StreamDescription"
        ]["Shards"]
        iterators = {
            shard["ShardId"]: self._as_indexer(
                "GetShardIterator",
                stream_arn,
                StreamArn=stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=mapping["StartingPosition"],
            )["ShardIterator"]
            for shard in shards
        }
        for _ in range(STREAM_ROUNDS):
            records = []
            for shard_id, iterator in list(iterators.items()):
                got = self._as_indexer("GetRecords", stream_arn, ShardIterator=iterator, Limit=1000)
                iterators[shard_id] = got["NextShardIterator"]
                records.extend(_stream_record(r, stream_arn) for r in got["Records"])
            if not records:
                return
            self.world.stream_records += len(records)
            wanted = [r for r in records if any(patterns.matches(f, r) for f in filters)]
            self.world.filtered_out += len(records) - len(wanted)
            for start in range(0, len(wanted), batch_size):
                batch = wanted[start : start + batch_size]
                result = self.processes["IndexerFunction"].invoke({"Records": batch})
                self.world.indexer_batches.append({"size": len(batch), "result": result})
        raise AssertionError(f"the stream never went quiet after {STREAM_ROUNDS} rounds")

    # ------------------------------------------------------------------ reads
    def read_routes(self, article_id: str, query_word: str) -> None:
        self.api("get", "GET", f"/articles/{article_id}")
        for fmt in ("txt", "markdown", "html", "xml", "json"):
            self.api(f"text-{fmt}", "GET", f"/articles/{article_id}/text", query=f"format={fmt}")
        raw = self.api("raw", "GET", f"/articles/{article_id}/raw")
        if raw.status == 307:
            location = raw.headers["location"]
            assert location.startswith(self.endpoint), f"presigned URL not on moto: {location}"
            with urllib.request.urlopen(location, timeout=60) as answer:
                self.world.raw_followed[article_id] = answer.read()
        self.api("list", "GET", "/articles", query="limit=10")
        self.api("list-site", "GET", "/articles", query="site=127.0.0.1&limit=10")
        self.api("search", "GET", "/search", query=urllib.parse.urlencode({"q": query_word}))
        self.api("openapi", "GET", "/openapi.json")
        self.api("docs", "GET", "/docs")
        self.api("missing", "GET", "/articles/" + "0" * 32)

    def inventory(self) -> None:
        s3, ddb, sqs = self.client("s3"), self.client("dynamodb"), self.client("sqs")
        bucket = self.stack.outputs["RawBucketName"]
        for listed in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            key = listed["Key"]
            head = s3.head_object(Bucket=bucket, Key=key)
            tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            self.world.objects.append(
                {
                    "key": key,
                    "content_encoding": head.get("ContentEncoding"),
                    "encryption": head.get("ServerSideEncryption"),
                    "tags": {t["Key"]: t["Value"] for t in tags},
                    "body": body,
                }
            )
        table = self.stack.outputs["ArticlesTableName"]
        self.world.items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
        for logical_id in (
            "IntakeDeadLetterQueue",
            "IndexerFailureQueue",
            "WebhookDeadLetterQueue",
        ):
            attributes = sqs.get_queue_attributes(
                QueueUrl=self.stack.outputs[f"{logical_id}Url"], AttributeNames=["All"]
            )["Attributes"]
            self.world.queue_depths[logical_id] = int(
                attributes["ApproximateNumberOfMessages"]
            ) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def collect_calls(self) -> None:
        for logical_id, process in self.processes.items():
            recorded = []
            if process.calls.exists():
                recorded = [json.loads(line) for line in process.calls.read_text().splitlines()]
            self.world.calls[logical_id] = recorded + self.service_calls[logical_id]


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def run() -> World:
    """Deploy, drive and record; every process and server is stopped on return."""
    from core.ids import article_id

    shim_moto()
    with (
        tempfile.TemporaryDirectory(prefix="deployed-test-") as tmp,
        moto_server() as endpoint,
        PageServer(PAGES) as pages,
        WebhookReceiver() as hook,
    ):
        work = Path(tmp)
        stack = deploy(session(), endpoint, BUILD_DIR, SAM_PYTHON, work)
        detach_moto_pollers(stack)
        driver = Driver(stack, endpoint, pages.port, work)
        world = driver.world
        world.webhook_port = hook.port
        world.urls = {
            name: f"http://127.0.0.1:{pages.port}/{name}"
            for name in (*SYNC_PAGES, ASYNC_PAGE, EVENT_PAGE)
        }
        capture = driver.capture_events()
        with driver.running():
            driver.submit()
            driver.ingest_requested()
            driver.poison()
            driver.run_worker()
            driver.run_indexer()
            driver.run_webhooks()
            driver.read_routes(article_id(world.urls[SYNC_PAGES[0]]), "ferry")
        driver.inventory()
        world.webhooks = list(hook.received)
        world.captured = [json.loads(body) for body in driver.drain(capture)]
        driver.collect_calls()
        keep = os.environ.get("DEPLOYED_TEST_LOGS")
        if keep:  # the functions' logs and call records, for a failing run
            import shutil

            shutil.copytree(work, keep, dirs_exist_ok=True)
        return world
