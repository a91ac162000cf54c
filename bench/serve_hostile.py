"""An ordinary page through ``article-ingest serve`` while three hostile pages are extracted
(issue 11).

``article-ingest serve`` runs as a subprocess with its default extraction settings (one worker
per core, two spares, a 10 s budget per page); a page server on 127.0.0.1 serves three
attribute-heavy pages (each about 15 s of CPU for libxml2, so each takes its whole budget and
ends ``extraction_timeout``) and ordinary articles. Each round:

1. the three hostile URLs are POSTed synchronously, each from a thread of its own, and a
   poller per URL reads ``GET /articles/{id}`` every 0.1 s;
2. once all three pages are in the raw store (the step right before extraction) and none is
   answered, an ordinary page is POSTed synchronously: (a) its answer time, target under 2 s
   (this is about the worst moment: two hostile pages have just taken the two workers, and
   a spare starts for a worker that has been on one page for over a second);
3. (b) for each hostile page, the time from its POST until ``GET`` shows it terminal, target
   at most the budget + 5 s.

A warm-up POST of an ordinary page comes first (it starts the fork server and the first
worker, as any running service has). Nothing leaves 127.0.0.1.

Run: ``python -m bench.serve_hostile [--rounds N] [--budget S]``. Writes
``bench/out/serve_hostile.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.integration.hostile_pages import attribute_heavy, normal_page
from tests.support.page_server import BackgroundServer

from bench.machine import command, describe
from core.adapters.raw_keys import raw_key
from core.ids import article_id
from core.settings import Settings

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
CLI = str(Path(sys.executable).with_name("article-ingest"))
HOSTILE = 3
TERMINAL = frozenset({"failed", "extracted", "indexed"})
NORMAL_TARGET_S = 2.0
HOSTILE_MARGIN_S = 5.0
POLL_S = 0.1


class _Handler(BaseHTTPRequestHandler):
    """Serves ``pages`` (path → bytes)."""

    def __init__(self, *args: Any, pages: dict[str, bytes], **kwargs: Any) -> None:
        self.pages = pages
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Site(BackgroundServer):
    """A loopback server of in-memory pages."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        super().__init__(partial(_Handler, pages=self.pages))

    def add(self, path: str, body: bytes) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        self.pages[path] = body
        return self.url(path)


def _request(base: str, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post_sync(base: str, url: str) -> dict[str, Any]:
    """POST one URL synchronously; its result."""
    status, body = _request(base, "POST", "/articles", {"urls": [url]})
    if status != 200:
        raise RuntimeError(f"POST {url} answered {status}: {body}")
    result: dict[str, Any] = body["results"][0]
    return result


def article_status(base: str, the_id: str) -> dict[str, Any] | None:
    """The stored article, or None while there is none."""
    status, body = _request(base, "GET", f"/articles/{the_id}")
    if status == 404:
        return None
    if status != 200:
        raise RuntimeError(f"GET /articles/{the_id} answered {status}: {body}")
    article: dict[str, Any] = body
    return article


class HostileRun(threading.Thread):
    """POSTs one hostile URL synchronously while a poller waits for it to be terminal."""

    def __init__(self, base: str, url: str, body: bytes, give_up_s: float) -> None:
        super().__init__(daemon=True)
        self.base, self.url, self.give_up_s = base, url, give_up_s
        self.id = article_id(url)
        self.raw_key = raw_key(self.id, hashlib.sha256(body).hexdigest())
        self.started = 0.0
        self.answered_s: float | None = None
        self.terminal_s: float | None = None
        self.article: dict[str, Any] | None = None
        self.answer: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        self.started = time.monotonic()
        poller = threading.Thread(target=self._poll, daemon=True)
        poller.start()
        try:
            self.answer = post_sync(self.base, self.url)
            self.answered_s = time.monotonic() - self.started
        except BaseException as error:  # reported by the caller
            self.error = error
        poller.join(self.give_up_s)

    def _poll(self) -> None:
        deadline = self.started + self.give_up_s
        while time.monotonic() < deadline:
            article = article_status(self.base, self.id)
            if article is not None and article["status"] in TERMINAL:
                self.terminal_s = time.monotonic() - self.started
                self.article = article
                return
            time.sleep(POLL_S)


class Serve:
    """``article-ingest serve`` as a subprocess on 127.0.0.1, inside ``with``."""

    def __init__(self, data_dir: Path, port: int, extra_env: dict[str, str]) -> None:
        env = {
            **os.environ,
            "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
            "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([port]),
            "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
            "ARTICLE_INGEST_RESPECT_ROBOTS": "0",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            **extra_env,
        }
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [CLI, "serve", "--port", "0", "--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline()
        if "listening on http://127.0.0.1:" not in banner:
            self.close()
            raise RuntimeError(f"serve did not start: {banner!r}")
        self.base = banner.split("listening on ")[1].split()[0]

    def close(self) -> None:
        """Stop the server and wait for it."""
        self.process.terminate()
        self.process.wait(timeout=30)

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def in_extraction(serve: Serve, runs: list[HostileRun], give_up_s: float) -> None:
    """Wait until every hostile page is in the raw store and none is answered yet."""
    deadline = time.monotonic() + give_up_s
    while not all((serve.data_dir / run.raw_key).exists() for run in runs):
        if time.monotonic() > deadline:
            raise RuntimeError("the hostile pages never reached the raw store")
        time.sleep(0.01)
    if any(run.answered_s is not None for run in runs):
        raise RuntimeError("a hostile page was answered before the others were stored")


def one_round(serve: Serve, site: Site, number: int, budget_s: float) -> dict[str, Any]:
    """Three hostile pages and one ordinary page; the timings of one round."""
    base = serve.base
    give_up = budget_s * 3 + 60
    runs = []
    for n in range(HOSTILE):
        body = attribute_heavy(elements=20 + n)
        url = site.add(f"/hostile-{number}-{n}.html", body)
        runs.append(HostileRun(base, url, body, give_up))
    normal_url = site.add(f"/normal-{number}.html", normal_page())
    for hostile in runs:
        hostile.start()
    in_extraction(serve, runs, give_up)
    started = time.monotonic()
    normal = post_sync(base, normal_url)
    normal_s = time.monotonic() - started
    pending = [
        h for h in runs if (a := article_status(base, h.id)) is None or a["status"] not in TERMINAL
    ]
    for hostile in runs:
        hostile.join(give_up)
        if hostile.error is not None:
            raise RuntimeError(f"{hostile.url}: {hostile.error}")
    return {
        "normal_s": round(normal_s, 3),
        "normal_status": normal["status"],
        "hostile_not_terminal_when_normal_answered": len(pending),
        "hostile": [
            {
                "terminal_s": None if h.terminal_s is None else round(h.terminal_s, 2),
                "answered_s": None if h.answered_s is None else round(h.answered_s, 2),
                "status": (h.article or {}).get("status"),
                "code": ((h.article or {}).get("error") or {}).get("code"),
            }
            for h in runs
        ],
    }


def run(rounds: int, budget_s: float | None) -> dict[str, Any]:
    """Start a site and ``serve``, warm up, run ``rounds`` rounds."""
    extra_env = {}
    if budget_s is not None:
        extra_env = {
            "ARTICLE_INGEST_EXTRACTION_TIMEOUT_S": str(budget_s),
            "ARTICLE_INGEST_EXTRACTION_CPU_S": str(budget_s),
        }
    budget = budget_s if budget_s is not None else Settings().extraction_timeout_s
    with (
        tempfile.TemporaryDirectory(prefix="bench-serve-hostile-") as tmp,
        Site() as site,
        Serve(Path(tmp) / "data", site.port, extra_env) as serve,
    ):
        started = time.monotonic()
        warmup = post_sync(serve.base, site.add("/warm-up.html", normal_page()))
        warmup_s = time.monotonic() - started
        if warmup["status"] != "extracted":
            raise RuntimeError(f"the warm-up page ended {warmup}")
        results = []
        for number in range(rounds):
            result = one_round(serve, site, number, budget)
            logger.info("round %d: %s", number, json.dumps(result))
            results.append(result)
    normal = [r["normal_s"] for r in results]
    hostile = [h["terminal_s"] for r in results for h in r["hostile"]]
    hostile_known = [t for t in hostile if t is not None]
    return {
        "rounds": results,
        "budget_s": budget,
        "warmup_s": round(warmup_s, 2),
        "normal_s": {"median": statistics.median(normal), "max": max(normal)},
        "hostile_terminal_s": {
            "median": statistics.median(hostile_known) if hostile_known else None,
            "max": max(hostile_known) if hostile_known else None,
        },
        "targets": {"normal_s": NORMAL_TARGET_S, "hostile_terminal_s": budget + HOSTILE_MARGIN_S},
        "met": {
            "normal": max(normal) < NORMAL_TARGET_S
            and all(r["normal_status"] == "extracted" for r in results),
            "hostile": len(hostile_known) == len(hostile)
            and max(hostile_known) <= budget + HOSTILE_MARGIN_S
            and all(
                h["status"] == "failed" and h["code"] == "extraction_timeout"
                for r in results
                for h in r["hostile"]
            ),
        },
        "machine": describe(),
        "command": command("bench.serve_hostile"),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/out/serve_hostile.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--budget", type=float, default=None, help="extraction budget, s (default: serve's own)"
    )
    args = parser.parse_args(argv)
    result = run(args.rounds, args.budget)
    OUT.mkdir(exist_ok=True)
    (OUT / "serve_hostile.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("normal_s", "hostile_terminal_s", "met")}, indent=2))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(main())
