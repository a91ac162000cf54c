"""Cost per million articles on AWS: Lambda compute, S3 and DynamoDB requests.

CPU time per article is measured (``bench/out/speed.json``: our extraction step, CPU ms a
page). Requests are counted, not assumed: the worker's pipeline (raw page to S3, article to
DynamoDB) and the indexer (keyword index, near-duplicate buckets, event) run against a moto
server on 127.0.0.1 through the real AWS adapters, with every botocore call counted and every
DynamoDB item sized to turn calls into request units. Fetching is replaced by the page bytes.

Run: ``python -m bench.cost [--pages N]``. Writes ``bench/out/cost.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import command, describe

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"

# On-demand list prices, us-east-1, as published by AWS in 2025 (not fetched at run time).
PRICES_AS_OF = "2025 list prices, us-east-1"
PRICES = {
    "lambda_gb_s_arm64": 0.0000133334,
    "lambda_gb_s_x86": 0.0000166667,
    "lambda_request": 0.20 / 1e6,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "ddb_write_unit": 0.625 / 1e6,
    "ddb_read_unit": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "eventbridge_event": 1.00 / 1e6,
}
# Lambda gives a function one full vCPU at 1,769 MB and a proportional share below, so
# CPU-bound work costs the same GB-seconds at any size up to there.
FULL_VCPU_MB = 1769
LAMBDA_MB = 1024
# Per article outside what the moto run sees: the intake message (send, receive, delete) and
# one worker plus one indexer invocation (an upper bound: both take batches).
SQS_REQUESTS_PER_ARTICLE = 3
LAMBDA_INVOCATIONS_PER_ARTICLE = 2
_S3_PUTS = {"PutObject", "CopyObject", "PutObjectTagging", "ListObjectsV2"}


def _value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind in ("S", "N"):
        return len(str(inner).encode())
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(len(str(v).encode()) for v in inner)
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + item_size(inner)
    return len(json.dumps(inner))


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item in bytes (attribute names plus values)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def write_units(item: dict[str, Any], transactional: bool = False) -> int:
    """Write request units for one item (1 per KB, doubled in a transaction)."""
    return max(1, math.ceil(item_size(item) / 1024)) * (2 if transactional else 1)


def read_units(item: dict[str, Any] | None, consistent: bool) -> float:
    """Read request units for one item (1 per 4 KB strongly consistent, half otherwise)."""
    units = max(1, math.ceil(item_size(item or {}) / 4096))
    return units if consistent else units / 2


class Tally:
    """Counts AWS calls and DynamoDB request units."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.write_units = 0.0
        self.read_units = 0.0

    def record(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        result: Any,
        sizes: dict[str, int] | None = None,
    ) -> None:
        """Account for one call and its response.

        ``sizes`` are what the response cannot tell: the bytes a ``Select=COUNT`` query read
        (``"read"``), and the bytes of the items a delete removed (``"deleted"``, per item
        as ``"deleted:<n>"``), since a delete is billed for the item it removes.
        """
        sizes = sizes or {}
        self.calls[f"{service}:{operation}"] += 1
        if service != "dynamodb":
            return
        if operation == "DeleteItem":
            self.write_units += max(1, math.ceil(sizes.get("deleted:0", 0) / 1024))
        elif operation in ("PutItem", "UpdateItem"):
            self.write_units += write_units(params.get("Item") or params.get("Key") or {})
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                (_, spec), *_ = entry.items()
                self.write_units += write_units(spec.get("Item") or spec.get("Key") or {}, True)
        elif operation == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                for n, request in enumerate(requests):
                    put = request.get("PutRequest", {}).get("Item")
                    if put:
                        self.write_units += write_units(put)
                    else:
                        self.write_units += max(1, math.ceil(sizes.get(f"deleted:{n}", 0) / 1024))
        elif operation == "GetItem":
            self.read_units += read_units(result.get("Item"), params.get("ConsistentRead", False))
        elif operation == "BatchGetItem":
            for items in result.get("Responses", {}).values():
                self.read_units += sum(read_units(item, False) for item in items)
        elif operation == "Query":
            size = sizes.get("read", sum(item_size(item) for item in result.get("Items", [])))
            units = max(1, math.ceil(size / 4096))
            self.read_units += units if params.get("ConsistentRead") else units / 2


def _unseen_sizes(client: Any, operation: str, params: dict[str, Any], call: Any) -> dict[str, int]:
    """Sizes the response of ``operation`` will not show, looked up with uncounted calls."""
    sizes: dict[str, int] = {}

    def size_of(table: str, key: dict[str, Any]) -> int:
        item = call(client, "GetItem", {"TableName": table, "Key": key}).get("Item")
        return item_size(item) if item else 0

    if operation == "DeleteItem":
        sizes["deleted:0"] = size_of(params["TableName"], params["Key"])
    elif operation == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for n, request in enumerate(requests):
                if "DeleteRequest" in request:
                    sizes[f"deleted:{n}"] = size_of(table, request["DeleteRequest"]["Key"])
    elif operation == "Query" and params.get("Select") == "COUNT":
        listed = {k: v for k, v in params.items() if k != "Select"}
        sizes["read"] = sum(item_size(i) for i in call(client, "Query", listed).get("Items", []))
    return sizes


@contextmanager
def counting(
    tally: Tally, observe: Callable[[dict[str, Any], Any], None] | None = None
) -> Iterator[None]:
    """Count every botocore API call made inside the block (``observe`` sees each Query)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        sizes = _unseen_sizes(client, operation, params, original) if service == "dynamodb" else {}
        result = original(client, operation, params)
        tally.record(service, operation, params, result, sizes)
        if observe is not None and operation == "Query":
            observe(params, result)
        return result

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def count_requests(pages: int) -> dict[str, Any]:
    """Ingest and index ``pages`` WCXB pages through the AWS adapters on a moto server."""
    from tests.contract.moto_env import CREDENTIALS, REGION, create_resources, moto_server

    from bench.dataset import locate
    from core.fetch import FetchOutcome, FetchResult
    from core.indexing import Indexer
    from core.pipeline import IngestPipeline
    from core.services import Services

    os.environ.update(CREDENTIALS)
    os.environ["AWS_DEFAULT_REGION"] = REGION
    selected = [p for _, p in zip(range(pages), locate(prefer_full=False).pages(), strict=False)]

    class PageFetcher:
        def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
            page = next(p for p in selected if p.url == url)
            return FetchResult(
                url=url,
                outcome=FetchOutcome.OK,
                message="ok",
                retryable=False,
                final_url=url,
                http_status=200,
                content_type="text/html",
                body=page.body,
                fetched_at=datetime.now(UTC),
            )

    tally = Tally()
    with moto_server() as endpoint:
        services = Services(create_resources(endpoint, prefix="bench"))
        pipeline = IngestPipeline(
            PageFetcher(), services.raw_store, services.articles, services.extractor
        )
        indexer = Indexer(
            services.articles, services.search_index, services.fingerprints, services.event_bus
        )
        with counting(tally):
            stored = [pipeline.ingest(page.url) for page in selected]
            for article in stored:
                indexer.handle(article)
            # The articles still pending are compacted too (a run of fewer than COMPACT_AT
            # articles costs more per article than the steady state: conservative).
            compact = getattr(services.search_index, "compact", None)
            if callable(compact):
                compact()
    count = len(selected)
    per_article = {name: n / count for name, n in sorted(tally.calls.items())}
    return {
        "pages": count,
        "calls_per_article": per_article,
        "ddb_write_units_per_article": tally.write_units / count,
        "ddb_read_units_per_article": tally.read_units / count,
        "s3_puts_per_article": sum(v for k, v in per_article.items() if k[3:] in _S3_PUTS),
        "s3_gets_per_article": sum(
            v for k, v in per_article.items() if k.startswith("s3:") and k[3:] not in _S3_PUTS
        ),
        "events_per_article": per_article.get("events:PutEvents", 0.0),
    }


def dollars(cpu_ms: float, requests: dict[str, Any]) -> dict[str, float]:
    """Dollars per million articles, by item."""
    gb_s = cpu_ms / 1000 * max(1.0, FULL_VCPU_MB / LAMBDA_MB) * LAMBDA_MB / 1024
    million = 1e6
    return {
        "lambda_gb_s_per_article": gb_s,
        "lambda_compute_arm64": gb_s * PRICES["lambda_gb_s_arm64"] * million,
        "lambda_compute_x86": gb_s * PRICES["lambda_gb_s_x86"] * million,
        "lambda_requests": LAMBDA_INVOCATIONS_PER_ARTICLE * PRICES["lambda_request"] * million,
        "s3_requests": (
            requests["s3_puts_per_article"] * PRICES["s3_put"]
            + requests["s3_gets_per_article"] * PRICES["s3_get"]
        )
        * million,
        "dynamodb_writes": requests["ddb_write_units_per_article"]
        * PRICES["ddb_write_unit"]
        * million,
        "dynamodb_reads": requests["ddb_read_units_per_article"]
        * PRICES["ddb_read_unit"]
        * million,
        "sqs": SQS_REQUESTS_PER_ARTICLE * PRICES["sqs_request"] * million,
        "eventbridge": requests["events_per_article"] * PRICES["eventbridge_event"] * million,
    }


def run(pages: int) -> dict[str, Any]:
    """The cost document, from ``speed.json``'s CPU time and a counted moto run."""
    speed = json.loads((OUT / "speed.json").read_text())
    cpu_ms = float(speed["results"]["ours"]["cpu_ms_per_page"])
    requests = count_requests(pages)
    money = dollars(cpu_ms, requests)
    total = sum(v for k, v in money.items() if k not in ("lambda_gb_s_per_article",))
    total -= money["lambda_compute_x86"]  # the arm64 figure is the one summed
    return {
        "machine": describe(),
        "cpu_ms_per_article": cpu_ms,
        "lambda_memory_mb": LAMBDA_MB,
        "requests": requests,
        "dollars_per_million": money,
        "total_dollars_per_million_arm64": total,
        "prices": PRICES,
        "prices_as_of": PRICES_AS_OF,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point; writes ``bench/out/cost.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--pages", type=int, default=64, help="pages to ingest on moto (2 compactions at 64)"
    )
    args = parser.parse_args(argv)
    result = run(args.pages)
    result["command"] = command("bench.cost", argv)
    (OUT / "cost.json").write_text(json.dumps(result, indent=1) + "\n")
    logger.info("requests per article: %s", result["requests"])
    logger.info("dollars per million: %s", result["dollars_per_million"])
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
