"""Invoke every function built by ``sam build`` with its ``events/*.json``, against moto.

This is the contract ``sam local invoke -e events/X.json`` offers, without Docker: each handler
is imported from ``.aws-sam/build/<Function>/`` by the Lambda Python (3.12 and nothing else:
each bundle carries its own boto3), and its AWS calls go over HTTP to a moto server on
127.0.0.1 that holds the stack's resources. Tests never reach the internet, so:

* the worker's SQS message is pointed at a fixture page served on 127.0.0.1;
* the stream event's ``NewImage`` is first stored in the articles table (the indexer then
  writes the next version, as after a real stream record);
* the API runs with ``ARTICLE_INGEST_SYNC_BATCH_LIMIT=0``, so POSTs queue instead of fetching;
* the webhook delivery message names a finished batch staged in the batches table, whose
  webhook is a receiver on 127.0.0.1; the signing key is a secret created in moto.

Run by ``scripts/sam-build-check.sh``::

    .venv/bin/python -m scripts.invoke_built_handlers --runtime-python PY [--build-dir DIR]

Prints each function's bundle size and a closing ``built handlers: N ok, N failed`` line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, moto_server, session
from tests.contract.template_yaml import load_template
from tests.support.page_server import PageServer
from tests.support.webhook_receiver import WebhookReceiver

from core.adapters.aws import AwsClients, DynamoArticleStore, S3RawStore
from core.adapters.aws.dynamodb_batches import DynamoBatchStore
from core.batches.models import Batch, BatchCounts, BatchItem, new_batch_id
from core.ids import article_id
from core.models import ArticleStatus
from core.settings import Settings
from core.signing import verify

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
PAGES = ROOT / "tests" / "fixtures" / "pages"
BOOTSTRAP = Path(__file__).with_name("lambda_invoke.py")
FIXTURE_PAGE = "harbour-solar-ferry-en.html"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
WEBHOOK_KEY = "sam-check-webhook-key"
# Expected HTTP status per API event (others: any non-5xx answer).
API_STATUS = {
    "api-openapi.json": {200},
    "api-docs.json": {200},
    "api-post-articles.json": {202},
    "api-post-articles-async.json": {202},
    "api-post-discover.json": {422},  # staged on a fixture page, which is not a sitemap
    "api-list-articles.json": {200},
    "api-search.json": {200},
}


@dataclass
class Check:
    """One function's invocation: its events and how to judge each result."""

    function: str
    events: list[Path]
    judge: Callable[[Path, Any], str | None]  # None when the result is right
    failures: list[str] = field(default_factory=list)


def bundle_size(path: Path) -> int:
    """Unzipped size of a bundle: the sum of its files' sizes."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def lambda_env(
    settings: Settings, template: dict[str, Any], page_port: int, *extra_ports: int
) -> dict[str, str]:
    """The environment a deployed function would get, with moto's resource names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARTICLE_INGEST_"))}
    for name, value in template["Globals"]["Function"]["Environment"]["Variables"].items():
        if isinstance(value, str | int):
            env[name] = str(value)
    env.update(CREDENTIALS)
    env.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # Every client, ours or a library's, goes to moto: never to a real endpoint.
            "AWS_ENDPOINT_URL": str(settings.aws_endpoint_url),
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "LOG_LEVEL": "WARNING",
            "ARTICLE_INGEST_BACKEND": "aws",
            "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "true",
            "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([80, 443, page_port, *extra_ports]),
            "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
            "ARTICLE_INGEST_SYNC_BATCH_LIMIT": "0",
        }
    )
    for name, value in settings.model_dump(exclude_none=True).items():
        if name in {"raw_bucket", "articles_table", "index_table", "idempotency_table"} | {
            "queue_url",
            "event_bus_name",
            "aws_endpoint_url",
            "batches_table",
            "webhook_queue_url",
            "webhook_secret_arn",
        }:
            env[f"ARTICLE_INGEST_{name.upper()}"] = str(value)
    return env


def invoke(
    python: str, bundle: Path, handler: str, events: list[Path], env: dict[str, str], log: Path
) -> list[dict[str, Any]]:
    """Run the bootstrap in ``bundle`` (as ``/var/task``) and return its results."""
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        args = [python, "-I", str(BOOTSTRAP), handler, str(result), *map(str, events)]
        with log.open("ab") as out:
            done = subprocess.run(  # noqa: S603 - fixed argv
                args, cwd=bundle, env=env, stdout=out, stderr=out, timeout=600, check=False
            )
        if done.returncode != 0 or not result.exists():
            raise RuntimeError(f"{handler} did not run (exit {done.returncode}); see {log}")
        data: list[dict[str, Any]] = json.loads(result.read_text(encoding="utf-8"))
        return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime-python", required=True, help="a bare Python 3.12")
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".aws-sam" / "build")
    args = parser.parse_args(argv)
    runtime_python = shutil.which(args.runtime_python)  # absolute: it runs in the bundle's cwd
    if runtime_python is None:
        parser.error(f"not an executable: {args.runtime_python}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log

    built = load_template(args.build_dir / "template.yaml")
    functions = {
        name: resource["Properties"]
        for name, resource in built["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    default_timeout = built.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    oversize = False
    for name in sorted(functions):
        size = bundle_size(args.build_dir / name)
        oversize |= size > LAMBDA_UNZIPPED_LIMIT
        print(f"bundle {name}: {size / 1024 / 1024:.1f} MiB unzipped")

    log = args.build_dir / "invoke.log"
    log.write_bytes(b"")
    with (
        moto_server() as endpoint,
        PageServer(PAGES) as pages,
        WebhookReceiver() as hook,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = create_resources(endpoint, prefix="sam")
        secret = session().client("secretsmanager", endpoint_url=endpoint)
        arn = secret.create_secret(Name="sam-webhook-key", SecretString=WEBHOOK_KEY)["ARN"]
        settings = settings.model_copy(update={"webhook_secret_arn": arn})
        clients = AwsClients(settings, session=session())
        articles = DynamoArticleStore(settings, clients)
        raw = S3RawStore(settings, clients)
        template = load_template(ROOT / "template.yaml")
        env = lambda_env(settings, template, pages.port, hook.port)
        checks = prepare(Path(tmp), settings, clients, articles, raw, pages.port)
        checks.append(prepare_webhook(Path(tmp), settings, clients, hook))
        for check in checks:
            props = functions[check.function]
            results = invoke(
                str(Path(runtime_python).absolute()),
                args.build_dir / check.function,
                props["Handler"],
                check.events,
                {**env, "LAMBDA_INVOKE_TIMEOUT_S": str(props.get("Timeout", default_timeout))},
                log,
            )
            for item in results:
                event = Path(item["event"])
                problem = item.get("error") or check.judge(event, item.get("result"))
                result = item.get("result")
                answer = (
                    f" ({result['statusCode']})"
                    if isinstance(result, dict) and "statusCode" in result
                    else ""
                )
                status = f"ok{answer}" if problem is None else f"FAILED: {problem}"
                print(f"{check.function} <- {event.name}: {status}")
                if problem is not None:
                    check.failures.append(event.name)
    total = sum(len(c.events) for c in checks)
    failed = sum(len(c.failures) for c in checks) + int(oversize)
    print(f"built handlers: {total - failed} ok, {failed} failed")
    return 1 if failed else 0


def prepare(
    tmp: Path,
    settings: Settings,
    clients: AwsClients,
    articles: DynamoArticleStore,
    raw: S3RawStore,
    page_port: int,
) -> list[Check]:
    """Stage the events (and the state they assume) and say how to judge each result."""
    # Worker: the queued URL is a fixture page on 127.0.0.1.
    page_url = f"http://127.0.0.1:{page_port}/{FIXTURE_PAGE}"
    sqs_event = json.loads((EVENTS / "sqs_worker_event.json").read_text(encoding="utf-8"))
    for record in sqs_event["Records"]:
        record["body"] = json.dumps({"url": page_url, "attempt": 0})
    worker_event = tmp / "sqs_worker_event.json"
    worker_event.write_text(json.dumps(sqs_event), encoding="utf-8")

    def judge_worker(_: Path, result: Any) -> str | None:
        if result != {"batchItemFailures": []}:
            return f"unexpected result {result}"
        stored = articles.get(article_id(page_url))
        if stored is None or stored.status is not ArticleStatus.EXTRACTED:
            return f"article not extracted: {stored and stored.status}"
        if not stored.raw_html_uri or not raw.exists(stored.raw_html_uri):
            return "raw HTML not in S3"
        return None

    # Indexer: the stream record's NewImage is the stored version it reacts to.
    stream_path = EVENTS / "dynamodb_stream_event.json"
    stream_event = json.loads(stream_path.read_text(encoding="utf-8"))
    images = [
        r["dynamodb"]["NewImage"] for r in stream_event["Records"] if "NewImage" in r["dynamodb"]
    ]
    for image in images:
        clients.dynamodb().put_item(TableName=str(settings.articles_table), Item=image)

    def judge_indexer(_: Path, result: Any) -> str | None:
        if result != {"batchItemFailures": []}:
            return f"unexpected result {result}"
        for image in images:
            stored = articles.get(image["id"]["S"])
            if stored is None or stored.status is not ArticleStatus.INDEXED:
                return f"article {image['id']['S']} not indexed"
        return None

    def judge_api(event: Path, result: Any) -> str | None:
        status = result.get("statusCode") if isinstance(result, dict) else None
        allowed = API_STATUS.get(event.name)
        if not isinstance(status, int) or status >= 500 or (allowed and status not in allowed):
            return f"status {status}: {str(result)[:300]}"
        return None

    # API discovery: a fixture page on 127.0.0.1 instead of the sample's sitemap (no DNS).
    discover_event = tmp / "api-post-discover.json"
    staged = json.loads((EVENTS / discover_event.name).read_text(encoding="utf-8"))
    staged["body"] = json.dumps({"sitemap": page_url})
    discover_event.write_text(json.dumps(staged), encoding="utf-8")
    api_events = [
        discover_event if path.name == discover_event.name else path
        for path in sorted(EVENTS.glob("api-*.json"))
    ]
    return [
        Check("WorkerFunction", [worker_event], judge_worker),
        Check("IndexerFunction", [stream_path], judge_indexer),
        Check("IngestApiFunction", api_events, judge_api),
    ]


def prepare_webhook(
    tmp: Path, settings: Settings, clients: AwsClients, hook: WebhookReceiver
) -> Check:
    """A finished batch whose webhook is ``hook``, and the delivery message naming it."""
    store = DynamoBatchStore(settings, clients)
    now = datetime.now(UTC)
    item = BatchItem(index=0, url="ftp://x/", status="rejected")
    batch = Batch(
        id=new_batch_id(),
        created_at=now,
        total=1,
        counts=BatchCounts.of([item]),
        finished=False,
        webhook=hook.url("/batches"),
    )
    store.create(batch, [item])
    store.mark_finished(batch.id)
    sample = json.loads((EVENTS / "sqs_webhook_event.json").read_text(encoding="utf-8"))
    for record in sample["Records"]:
        record["body"] = json.dumps({"batch_id": batch.id, "attempt": 0})
    event = tmp / "sqs_webhook_event.json"
    event.write_text(json.dumps(sample), encoding="utf-8")

    def judge_webhooks(_: Path, result: Any) -> str | None:
        if result != {"batchItemFailures": []}:
            return f"unexpected result {result}"
        stored = store.get(batch.id)
        outcomes = [d.outcome for d in stored.deliveries] if stored else []
        if outcomes != ["delivered"]:
            return f"deliveries {outcomes}"
        if not all(verify(WEBHOOK_KEY, r.headers, r.body) for r in hook.received):
            return "a delivery was not signed with the stack's key"
        return None

    return Check("WebhooksFunction", [event], judge_webhooks)


if __name__ == "__main__":
    sys.exit(main())
