"""The deployed shape: the built bundles, run as Lambda runs them, against the created stack.

One run (``world.run``) deploys and drives the stack; each test asserts one promise an operator
relies on. Run with ``make deployed-test`` (after ``scripts/sam-build-check.sh``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from core.ids import article_id
from core.signing import verify
from tests.deployed import iam
from tests.deployed.world import (
    ASYNC_PAGE,
    EVENT_PAGE,
    PAGES,
    SYNC_PAGES,
    World,
    run,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"


@pytest.fixture(scope="module")
def world() -> World:
    return run()


def _item(world: World, page: str) -> dict[str, Any]:
    wanted = article_id(world.urls[page])
    found = [i for i in world.items if i["id"]["S"] == wanted]
    assert found, f"no item for {page}"
    return found[0]


def test_each_function_runs_its_own_bundle_with_the_stack_configuration(world: World) -> None:
    functions = world.stack.functions
    assert {f.handler for f in functions.values()} == {
        "handlers.api.handler",
        "handlers.worker.handler",
        "handlers.indexer.handler",
        "handlers.webhooks.handler",
    }
    for function in functions.values():
        assert (
            function.variables["ARTICLE_INGEST_RAW_BUCKET"] == world.stack.outputs["RawBucketName"]
        )
        assert (
            function.variables["ARTICLE_INGEST_QUEUE_URL"] == world.stack.outputs["IntakeQueueUrl"]
        )
    # The indexer's bundle carries no extraction stack.
    assert not (functions["IndexerFunction"].bundle / "trafilatura").exists()
    assert (functions["WorkerFunction"].bundle / "trafilatura").exists()


def test_bundled_sdk_knows_s3_conditional_writes(world: World) -> None:
    for function in world.stack.functions.values():
        models = list((function.bundle / "botocore" / "data" / "s3").glob("*/service-2.json*"))
        assert models, f"{function.logical_id}: botocore is not bundled"
        raw = models[0].read_bytes()
        model = json.loads(gzip.decompress(raw) if models[0].suffix == ".gz" else raw)
        assert "IfNoneMatch" in model["shapes"]["PutObjectRequest"]["members"]


def test_sync_post_ingests_in_the_request_and_a_retry_replays_it(world: World) -> None:
    first, replay = world.answers["sync"], world.answers["sync-replay"]
    assert first.status == 200, first.body[:500]
    results = first.json()["results"]
    assert {r["url"] for r in results} == {world.urls[p] for p in SYNC_PAGES}
    assert all(r["status"] == "extracted" for r in results), results
    assert replay.status == 200
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["results"] == results


def test_async_post_and_ingest_requested_event_are_processed_by_the_worker(world: World) -> None:
    assert world.answers["async"].status == 202, world.answers["async"].body[:500]
    # The stack's rule turned the event into an intake message whose body is the detail.
    assert [b["url"] for b in world.ingest_requested_bodies] == [world.urls[EVENT_PAGE]]
    for page in (ASYNC_PAGE, EVENT_PAGE):
        assert _item(world, page)["status"]["S"] == "indexed"


def test_a_failed_message_stays_in_the_queue_and_the_others_are_deleted(world: World) -> None:
    (batch,) = world.worker_batches  # all three messages fit in one batch of the mapping's size
    assert batch["size"] == 3
    assert len(batch["result"]["batchItemFailures"]) == 1
    assert world.queue_depths["IntakeQueue"] == 0
    # The malformed message, the only one the worker could not read, waits to be redelivered.
    assert world.queue_depths["IntakeQueue in flight"] == 1


def test_indexer_runs_on_the_stream_through_the_mapping_filter(world: World) -> None:
    assert world.indexer_batches, "the indexer was never invoked"
    assert all(b["result"] == {"batchItemFailures": []} for b in world.indexer_batches)
    assert world.filtered_out > 0  # queued/fetched versions never reach the indexer
    for page in (*SYNC_PAGES, ASYNC_PAGE, EVENT_PAGE):
        assert _item(world, page)["status"]["S"] == "indexed"


def test_every_get_route_answers_from_the_stored_article(world: World) -> None:
    answers = world.answers
    wanted = article_id(world.urls[SYNC_PAGES[0]])
    assert answers["get"].status == 200
    assert answers["get"].json()["id"] == wanted
    for fmt in ("txt", "markdown", "html", "xml", "json"):
        answer = answers[f"text-{fmt}"]
        assert answer.status == 200, (fmt, answer.body[:300])
        assert b"ferry" in answer.body.lower()
    assert answers["list"].status == 200
    assert len(answers["list"].json()["items"]) == 4
    assert answers["list-site"].status == 200
    assert answers["search"].status == 200
    assert wanted in {hit["id"] for hit in answers["search"].json()["items"]}
    assert answers["openapi"].status == 200
    assert answers["openapi"].json()["openapi"]
    assert answers["docs"].status == 200
    assert answers["missing"].status == 404


def test_raw_route_redirects_to_the_stored_page(world: World) -> None:
    raw = world.answers["raw"]
    assert raw.status == 307, (raw.status, raw.body[:500])
    assert raw.headers.get("cache-control") == "no-store"
    # S3 refuses SigV2 on buckets created since 2020 (moto accepts it): the URL must be SigV4.
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in raw.headers["location"]
    wanted = article_id(world.urls[SYNC_PAGES[0]])
    stored = world.raw_followed[wanted]
    assert gzip.decompress(stored) == (PAGES / SYNC_PAGES[0]).read_bytes()


def test_raw_objects_are_gzip_encrypted_and_linked(world: World) -> None:
    pages = {(PAGES / p).read_bytes() for p in (*SYNC_PAGES, ASYNC_PAGE, EVENT_PAGE)}
    raw = [o for o in world.objects if o["key"].endswith(".html.gz")]
    assert len(raw) == 4
    for obj in raw:
        assert obj["content_encoding"] == "gzip"
        assert obj["encryption"] == "AES256"
        assert obj["tags"].get("ingest-state") == "linked"
        assert gzip.decompress(obj["body"]) in pages


def test_published_events_match_their_schemas(world: World) -> None:
    kinds = [event["detail-type"] for event in world.captured]
    assert kinds.count("ArticleIngested") == 4
    assert kinds.count("ArticleIndexed") == 4
    for event in world.captured:
        schema = json.loads((SCHEMAS / f"{event['detail-type']}.json").read_text())
        jsonschema.validate(event["detail"], schema)


def test_dead_letter_queues_stay_empty(world: World) -> None:
    assert world.queue_depths["IntakeDeadLetterQueue"] == 0
    assert world.queue_depths["IndexerFailureQueue"] == 0
    assert world.queue_depths["WebhookDeadLetterQueue"] == 0


def test_the_async_batch_finishes_and_its_webhook_is_signed_with_the_stack_secret(
    world: World,
) -> None:
    answer = world.answers["async"]
    batch_id = answer.json()["batch_id"]
    assert answer.headers.get("location") == f"/batches/{batch_id}"
    batch = world.batch
    assert batch["finished"] is True, batch
    assert batch["counts"]["indexed"] == 1
    assert [d["outcome"] for d in batch["deliveries"]] == ["delivered"]
    (delivery,) = world.webhooks
    assert json.loads(delivery.body)["batch_id"] == batch_id
    assert verify(world.webhook_key, delivery.headers, delivery.body)


def test_every_aws_call_is_allowed_by_the_function_role(world: World) -> None:
    for logical_id, calls in world.calls.items():
        assert calls, f"{logical_id} made no AWS call"
        function = world.stack.functions[logical_id]
        policies = world.stack.policies[function.role_name]
        denied = iam.denied(calls, policies, world.stack.region, world.stack.account)
        assert denied == [], f"{logical_id} ({function.role_name}) is not allowed: {denied}"
