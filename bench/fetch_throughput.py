"""Fetch throughput: 200 pages from a local server that answers after 100 ms.

With a per-host limit of 8 and no per-host delay, the ideal wall time is 200 / 8 × 0.1 s =
2.5 s; the measured figure adds the fetcher's own overhead (validation, robots.txt, pinned
connections, bounded reads). A second run also extracts every page
(``core.extract.assemble``), which adds the extraction time. Nothing leaves 127.0.0.1; the
development allowance is on for this benchmark only so the fetcher may connect to the loopback
server.

Run: ``.venv/bin/python -m bench.fetch_throughput [--pages N] [--latency S] [--limit N]``.
Writes ``bench/out/fetch_throughput.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.machine import command, describe
from core.fetch import FetchOutcome, FetchPolicy, FetchResult, SafeFetcher

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"

PARAGRAPH = (
    "<p>The council met on Tuesday to discuss the new budget for public transport, "
    "which includes funding for three additional bus lines and longer opening hours "
    "for the central library. Residents who spoke at the meeting welcomed the plan.</p>"
)


def page(n: int) -> bytes:
    """A plain article page, about 6 KB."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Council budget, part {n}</title></head><body><header><nav>Home | News</nav>"
        f"</header><article><h1>Council budget, part {n}</h1>"
        f"<p class='byline'>By A. Reporter, 2024-05-0{n % 9 + 1}</p>{PARAGRAPH * 20}</article>"
        "<footer>Copyright</footer></body></html>"
    ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, latency_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency_s = latency_s
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # Count requests in their latency phase only: once the response is written the client
        # may release its slot before this thread gets to run again.
        with self.server.lock:
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        try:
            time.sleep(self.server.latency_s)
        finally:
            with self.server.lock:
                self.server.in_flight -= 1
        body = page(int(self.path.rsplit("/", 1)[-1]))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _extract(result: FetchResult) -> bool:
    from core.extract.assemble import assemble
    from core.ports import PageInput

    article = assemble(
        PageInput(
            body=result.body,
            url=result.url,
            article_id=str(abs(hash(result.url))),
            final_url=result.final_url,
            http_status=result.http_status,
            content_type=result.content_type,
            http_charset=result.charset,
        )
    )
    return article is not None and bool(article.text)


def run(pages: int, latency_s: float, limit: int, workers: int, extract: bool) -> dict[str, Any]:
    """Fetch ``pages`` pages (optionally extracting each) and return the measurements."""
    server = _Server(latency_s)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        policy = FetchPolicy(
            allow_private_networks=True,
            allowed_ports={server.server_address[1]},
            per_host_concurrency=limit,
            per_host_delay_s=0.0,
        )
        fetcher = SafeFetcher(policy)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        fetcher.fetch(f"{base}/0")  # warm-up: robots.txt cache, imports
        if extract:
            _extract(fetcher.fetch(f"{base}/0"))
        server.max_in_flight = 0

        def one(i: int) -> tuple[str, bool]:
            result = fetcher.fetch(f"{base}/{i}")
            extracted = _extract(result) if extract and result.ok else False
            return result.outcome.value, extracted

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(one, range(1, pages + 1)))
        wall = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    ideal = pages / limit * latency_s
    counts = Counter(o for o, _ in outcomes)
    return {
        "extract": extract,
        "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3),
        "overhead_s": round(wall - ideal, 3),
        "ratio_to_ideal": round(wall / ideal, 3),
        "pages_per_s": round(pages / wall, 1),
        "outcomes": dict(counts),
        "extracted": sum(1 for _, e in outcomes if e),
        "server_max_in_flight": server.max_in_flight,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--limit", type=int, default=8, help="per-host concurrency")
    parser.add_argument("--workers", type=int, default=16, help="thread pool size")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    runs = [
        run(args.pages, args.latency, args.limit, args.workers, extract=False),
        run(args.pages, args.latency, args.limit, args.workers, extract=True),
    ]
    report = {
        "benchmark": "fetch_throughput",
        "pages": args.pages,
        "latency_s": args.latency,
        "per_host_concurrency": args.limit,
        "per_host_delay_s": 0.0,
        "workers": args.workers,
        "runs": runs,
        "machine": describe(),
        "command": command("bench.fetch_throughput", argv),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fetch_throughput.json").write_text(json.dumps(report, indent=2) + "\n")
    for r in runs:
        label = "fetch + extract" if r["extract"] else "fetch only"
        print(
            f"{label:>15}: {args.pages} pages in {r['wall_s']:.2f} s "
            f"(ideal {r['ideal_s']:.2f} s, x{r['ratio_to_ideal']:.2f}, "
            f"{r['pages_per_s']} pages/s, outcomes {r['outcomes']}, "
            f"server saw at most {r['server_max_in_flight']} in flight)"
        )
    failures = sum(n for k, n in runs[0]["outcomes"].items() if k != FetchOutcome.OK.value)
    if failures:
        raise SystemExit(f"{failures} fetches failed")
    return report


if __name__ == "__main__":
    main()
