"""Stress the multi-threaded ``article-ingest ingest`` and report how each run ended.

600 WCXB pages from 4 loopback servers (0-5 ms latency), 16 fetch threads, 4 requests per
host at once: pages from many threads at once. A run that dies shows its exit code (-6 abort,
-11 segmentation fault) and the tail of its standard error. This is how the heap corruption of
lxml work from several threads was found; extraction now runs in worker processes
(``core.extraction_pool``), and this checks that no run crashes.

Run: ``python -m bench.stress_ingest [--runs N] [--pages N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from bench.ingest_throughput import (
    Limits,
    PageServer,
    load_pages,
    locate,
    loopback_hosts,
    run_ours,
    spread_urls,
)


def main(argv: list[str] | None = None) -> int:
    """Runs the ingest ``--runs`` times; returns how many runs crashed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--pages", type=int, default=600)
    args = parser.parse_args(argv)
    bodies = load_pages(locate())
    servers = [PageServer(host, bodies, 1, (0.0, 0.005)) for host in loopback_hosts(4)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = spread_urls([s.base for s in servers], args.pages)
    ports = [int(s.server_address[1]) for s in servers]
    limits = replace(Limits(), per_host_concurrency=4, per_host_delay_s=0.0)
    crashed = 0
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="stress-ingest-") as tmp:
                work = Path(tmp)
                (work / "urls.txt").write_text("\n".join(urls) + "\n")
                result = run_ours(work / "urls.txt", work, limits, ports)
            died = result["exit_code"] < 0
            crashed += died
            tail = result["stderr_tail"].strip().splitlines()[-1:] if died else []
            print(
                f"run {run}: exit {result['exit_code']}, {result['indexed']} indexed, "
                f"{result['wall_s']:.1f} s {result['error_codes'] or ''} {' '.join(tail)}",
                flush=True,
            )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    print(f"{crashed} of {args.runs} runs crashed")
    return crashed


if __name__ == "__main__":
    raise SystemExit(main())
