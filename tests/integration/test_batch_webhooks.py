"""Batch jobs end to end on the local backend: ``POST /articles`` opens a batch, the local
runtime drains it to ``finished`` with the right counts, and its webhook is delivered signed
(verified here), retried after a 500, and never sent to a private address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from article_ingest.runtime import LocalRuntime
from core.fetch.addresses import IPAddress
from core.fetch.outcomes import FetchFailure, FetchOutcome
from core.fetch.policy import FetchPolicy
from core.fetch.post import SafePoster
from core.services import Services
from core.settings import Settings
from core.signing import verify
from handlers import _deps
from tests.integration.discovery_site import DiscoverySite
from tests.support.page_server import PageServer
from tests.support.webhook_receiver import WebhookReceiver
from tests.unit.api.conftest import call_handler

SECRET = "test-signing-key"

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@pytest.fixture(autouse=True)
def _no_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    yield
    _deps.use(None)


def local_services(tmp_path: Path, ports: list[int], *, private: bool = True) -> Services:
    services = Services(
        Settings(
            data_dir=tmp_path / "data",
            allow_private_networks=private,
            allowed_ports=ports,
            respect_robots=False,
            per_host_delay_s=0,
            webhook_secret=SECRET,
            webhook_retry_base_delay_s=0,
        )
    )
    _deps.use(services)
    return services


def batch_status(batch_id: str, **query: Any) -> dict[str, Any]:
    target = f"/batches/{batch_id}" + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )
    answer = call_handler("GET", target)
    assert answer.status == 200, answer.body
    found: dict[str, Any] = answer.json()
    return found


def test_an_async_batch_finishes_with_its_counts_and_a_verified_retried_webhook(
    tmp_path: Path, page_server: PageServer
) -> None:
    with WebhookReceiver(statuses=[500]) as hook:
        services = local_services(tmp_path, [page_server.port, hook.port])
        urls = [
            page_server.url("harbour-solar-ferry-en.html"),
            page_server.url("huerto-urbano-es.html"),
            page_server.url("no-such-page.html"),
            "ftp://example.org/file",
            page_server.url("harbour-solar-ferry-en.html"),  # the same article again
        ]
        answer = call_handler(
            "POST",
            "/articles",
            json_body={"urls": urls, "async": True, "webhook": hook.url("/hooks/batches")},
        )
        assert answer.status == 202, answer.body
        batch_id = answer.json()["batch_id"]
        assert answer.headers["location"] == f"/batches/{batch_id}"

        before = batch_status(batch_id)
        assert before["finished"] is False
        assert before["counts"]["queued"] == 3
        assert before["counts"]["rejected"] == 1

        report = LocalRuntime(services).drain(timeout_s=120)
        assert report.finished

        status = batch_status(batch_id)
        assert status["finished"] is True
        assert status["total"] == 4
        assert status["counts"] == {
            "queued": 0,
            "fetched": 0,
            "extracted": 0,
            "indexed": 2,
            "failed": 1,
            "rejected": 1,
        }
        assert [i["status"] for i in status["items"]] == [
            "indexed",
            "indexed",
            "failed",
            "rejected",
        ]
        assert status["items"][2]["error"]["code"] == "http_error"
        assert [(d["attempt"], d["outcome"], d["http_status"]) for d in status["deliveries"]] == [
            (1, "failed", 500),
            (2, "delivered", 204),
        ]

        assert [r.answered for r in hook.received] == [500, 204]
        for received in hook.received:
            assert received.path == "/hooks/batches"
            assert verify(SECRET, received.headers, received.body)
            assert not verify("another-key", received.headers, received.body)
        body = json.loads(hook.received[-1].body)
        assert body["type"] == "batch.finished"
        assert body["batch_id"] == batch_id
        assert body["counts"]["indexed"] == 2
        assert json.loads(hook.received[0].body)["id"] == body["id"]  # the same delivery


def test_items_page_through_a_cursor(tmp_path: Path, page_server: PageServer) -> None:
    local_services(tmp_path, [page_server.port])
    urls = [f"ftp://example.org/{i}" for i in range(5)]
    answer = call_handler("POST", "/articles", json_body={"urls": urls})
    assert answer.status == 200
    batch_id = answer.json()["batch_id"]
    first = batch_status(batch_id, limit=2)
    assert first["finished"] is True  # every URL rejected: final at once
    assert [i["index"] for i in first["items"]] == [0, 1]
    second = batch_status(batch_id, limit=2, cursor=first["next_cursor"])
    assert [i["index"] for i in second["items"]] == [2, 3]
    other = call_handler("POST", "/articles", json_body={"urls": urls[:1]}).json()["batch_id"]
    wrong = call_handler("GET", f"/batches/{other}?cursor={first['next_cursor']}")
    assert wrong.status == 400
    assert wrong.json()["code"] == "invalid_cursor"
    missing = call_handler("GET", "/batches/b_" + "0" * 24)
    assert missing.status == 404


class PrivateName:
    """Resolves every name to a private address and records any attempt to dial one."""

    def __init__(self) -> None:
        self.dialled: list[str] = []

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        from ipaddress import ip_address

        return [ip_address("10.20.30.40")]

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        self.dialled.append(f"{ip}:{port}")
        raise FetchFailure(FetchOutcome.CONNECT_ERROR, "the test never dials")


def test_a_webhook_naming_a_private_address_is_refused_without_a_dial(tmp_path: Path) -> None:
    services = local_services(tmp_path, [80, 443], private=False)
    resolver = PrivateName()
    services.__dict__["webhook_poster"] = SafePoster(
        FetchPolicy.from_settings(services.settings), resolver=resolver
    )
    answer = call_handler(
        "POST",
        "/articles",
        json_body={"urls": ["ftp://example.org/x"], "webhook": "https://hooks.example.test/in"},
    )
    assert answer.status == 200, answer.body
    batch_id = answer.json()["batch_id"]
    LocalRuntime(services).drain(timeout_s=30)
    status = batch_status(batch_id)
    assert status["finished"] is True
    (attempt,) = status["deliveries"]
    assert attempt["outcome"] == "refused"
    assert "10.20.30.40" in attempt["error"]
    assert resolver.dialled == []


@pytest.mark.parametrize(
    ("webhook", "code"),
    [
        ("http://10.0.0.7/hook", "invalid_webhook"),
        ("http://169.254.169.254/latest", "invalid_webhook"),
        ("gopher://example.org/", "invalid_webhook"),
        ("https://example.org:8443/hook", "invalid_webhook"),
    ],
)
def test_a_webhook_the_fetcher_would_refuse_is_refused_at_submission(
    tmp_path: Path, webhook: str, code: str
) -> None:
    local_services(tmp_path, [80, 443], private=False)
    answer = call_handler(
        "POST", "/articles", json_body={"urls": ["https://example.org/a"], "webhook": webhook}
    )
    assert answer.status == 422, answer.body
    assert answer.json()["code"] == code


def test_a_webhook_needs_a_signing_key(tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path / "data"))
    _deps.use(services)
    answer = call_handler(
        "POST",
        "/articles",
        json_body={"urls": ["ftp://example.org/a"], "webhook": "https://hooks.example.org/"},
    )
    assert answer.status == 422
    assert answer.json()["code"] == "webhook_not_configured"


def test_a_discovery_batch_finishes_and_tells_its_webhook(tmp_path: Path) -> None:
    with DiscoverySite() as site, WebhookReceiver() as hook:
        services = local_services(tmp_path, [site.port, hook.port])
        refused = call_handler(
            "POST",
            "/discover",
            json_body={"feed": site.page_url("feed.rss"), "webhook": hook.url("/")},
        )
        assert refused.status == 422  # a webhook needs enqueue: there is no batch without it
        assert refused.json()["code"] == "validation_error"

        answer = call_handler(
            "POST",
            "/discover",
            json_body={
                "feed": site.page_url("feed.rss"),
                "enqueue": True,
                "webhook": hook.url("/"),
            },
        )
        assert answer.status == 202, answer.body
        submission = answer.json()["submission"]
        batch_id = submission["batch_id"]
        assert answer.headers["location"] == f"/batches/{batch_id}"
        LocalRuntime(services).drain(timeout_s=120)

        status = batch_status(batch_id)
        assert status["finished"] is True
        assert status["total"] == len(submission["results"]) > 0
        assert status["counts"]["indexed"] == status["total"]
        (received,) = hook.received
        assert verify(SECRET, received.headers, received.body)
        assert json.loads(received.body)["counts"]["indexed"] == status["total"]
