"""The local event bus: JSON Lines appends (safe across processes) and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from tests.support.page_server import BackgroundServer

from core.adapters.local.event_bus import JsonlEventBus
from core.errors import StorageError
from core.events import ArticleIndexed
from core.models import Article, ArticleStatus
from core.settings import Settings
from core.signing import verify


def event(n: int) -> ArticleIndexed:
    return ArticleIndexed.of(
        Article(
            id=f"{n:032x}",
            url=f"https://example.com/{n}",
            status=ArticleStatus.INDEXED,
            version=2,
            updated_at=datetime(2024, 6, 11, tzinfo=UTC),
        )
    )


def test_events_are_appended_as_eventbridge_shaped_lines(tmp_path: Path) -> None:
    bus = JsonlEventBus(Settings(data_dir=tmp_path))
    bus.publish([event(1), event(2)])
    bus.publish([event(3)])
    lines = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [line["detail"]["article_id"] for line in lines] == [f"{n:032x}" for n in (1, 2, 3)]
    assert lines[0]["detail-type"] == "ArticleIndexed"
    assert lines[0]["source"] == "article-ingest"
    assert lines[0]["id"] == lines[0]["detail"]["event_id"]


def _append(data_dir: str, worker: int) -> None:
    bus = JsonlEventBus(Settings(data_dir=Path(data_dir)))
    for n in range(50):
        bus.publish([event(worker * 1000 + n)] * 3)


def test_two_processes_never_interleave_lines(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append, args=(str(tmp_path), w)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert len(lines) == 300
    assert all(json.loads(line)["detail-type"] == "ArticleIndexed" for line in lines)


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]
    status = 204

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(self.status)
        self.end_headers()


@pytest.fixture
def receiver() -> Iterator[tuple[str, Any]]:
    handler: Any = type("Receiver", (_Receiver,), {"received": []})
    with BackgroundServer(handler) as server:
        yield server.url("/hook"), handler


def test_webhook_posts_are_signed(tmp_path: Path, receiver: tuple[str, Any]) -> None:
    url, handler = receiver
    settings = Settings(data_dir=tmp_path, webhook_url=url, webhook_secret="s3cret")
    JsonlEventBus(settings).publish([event(1)])
    ((headers, body),) = handler.received
    timestamp = headers["Article-Ingest-Timestamp"]
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    assert headers["Article-Ingest-Signature"] == f"v1={expected}"
    assert verify("s3cret", headers, body)
    assert "X-Signature" not in headers
    assert json.loads(body)["detail"]["event_id"] == event(1).event_id


def test_a_webhook_without_a_secret_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(data_dir=tmp_path, webhook_url="http://127.0.0.1:9/hook")


def test_a_refused_webhook_fails_the_publish(tmp_path: Path, receiver: tuple[str, Any]) -> None:
    url, handler = receiver
    handler.status = 500
    bus = JsonlEventBus(Settings(data_dir=tmp_path, webhook_url=url, webhook_secret="k"))
    with pytest.raises(StorageError):
        bus.publish([event(1)])
