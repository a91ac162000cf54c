"""Slow host through a synchronous POST (issue 12): 10 URLs of one host, each answering in
6 s, per-host concurrency 2 and 1 s between starts, through ``handlers.api.handler`` with a
Lambda context of the API function's 29 s timeout.

Without a time budget this took 32 s (past API Gateway's 30 s: a 5xx). With it the handler
answers before ``min(remaining, 29 s) - sync_time_margin_s`` plus the time to queue the rest,
every URL either done or ``queued``. Nothing leaves 127.0.0.1 (the development allowance is on
for this benchmark only).

Run: ``.venv/bin/python -m bench.slow_host_sync [--urls N] [--latency S] [--remaining S]``.
Writes ``bench/out/slow_host_sync.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support.page_server import PageServer

from article_ingest.lambda_context import LocalContext
from article_ingest.serve import build_event, response_parts
from bench.machine import command, describe
from core.services import Services
from core.settings import Settings

OUT = Path(__file__).resolve().parent / "out"
PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
PAGE = "harbour-solar-ferry-en.html"


def run(urls: int, latency_s: float, remaining_s: float) -> dict[str, Any]:
    """Submit ``urls`` slow URLs synchronously; the answer's timing and per-URL statuses."""
    from handlers import _deps
    from handlers.api import handler

    with tempfile.TemporaryDirectory() as data_dir, PageServer(PAGES, latency_s=latency_s) as site:
        settings = Settings(
            data_dir=Path(data_dir),
            allow_private_networks=True,
            allowed_ports=[site.port],
            respect_robots=False,
            per_host_concurrency=2,
            per_host_delay_s=1.0,
        )
        services = Services(settings)
        _deps.use(services)
        try:
            body = json.dumps({"urls": [site.url(f"{PAGE}?copy={n}") for n in range(urls)]})
            event = build_event(
                "POST", "/articles", [("Content-Type", "application/json")], body.encode()
            )
            started = time.monotonic()
            context = LocalContext(deadline=started + remaining_s)
            status, _, data = response_parts(handler(event, context))
            elapsed = time.monotonic() - started
        finally:
            _deps.use(None)
        answer = json.loads(data)
        statuses = Counter(result["status"] for result in answer["results"])
        return {
            "urls": urls,
            "latency_s": latency_s,
            "remaining_s": remaining_s,
            "sync_time_margin_s": settings.sync_time_margin_s,
            "http_status": status,
            "mode": answer.get("mode"),
            "answered_in_s": round(elapsed, 2),
            "statuses": dict(statuses),
            "every_url_done_or_queued": set(statuses) <= {"extracted", "queued"}
            and sum(statuses.values()) == urls,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10)
    parser.add_argument("--latency", type=float, default=6.0)
    parser.add_argument("--remaining", type=float, default=29.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    result = run(args.urls, args.latency, args.remaining)
    result["machine"] = describe()
    result["command"] = command("bench.slow_host_sync")
    OUT.mkdir(exist_ok=True)
    (OUT / "slow_host_sync.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
