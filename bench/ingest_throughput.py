"""End-to-end ingest throughput: ``article-ingest ingest`` vs trafilatura's command line.

1,000 URLs (``--pages``) of real WCXB article HTML, served by one threaded server per loopback
address (127.0.0.2, 127.0.0.3, … — Linux routes all of 127.0.0.0/8 to ``lo``), URLs spread
round-robin over the hosts, each response after a seeded random 50–200 ms latency (the same
latency for the same path, whoever asks), ``robots.txt`` answered 404. Each page is sent as its
gzip file with ``Content-Encoding: gzip`` to a client that accepts gzip (both do), else
decompressed.

Both sides run as subprocesses on the same URL list with the same per-host limits:

* ours: ``article-ingest ingest --urls-file urls.txt --data-dir TMP --json`` on the embedded
  default (fetch, keep raw gzip, extract, store, index, publish events), with the development
  allowance for private networks and the per-host limits in ``ARTICLE_INGEST_*`` variables;
* trafilatura: ``trafilatura -i urls.txt -o OUT --backup-dir RAW --parallel W --config-file
  CFG`` — its settings file turns off its SSRF guard and sets ``SLEEP_TIME`` (minimum delay
  between two requests to one host), redirects, timeout and size cap; ``--backup-dir`` keeps
  every raw page (as ours does) and gives each output its own name (without it outputs are
  named after a hash of their text, so repeated pages would overwrite each other).

trafilatura's per-host model is fixed: each round takes at most one URL per host whose last
request started ``SLEEP_TIME`` ago (sleeping ``SLEEP_TIME`` when none is due), downloads the
round in a thread pool, and extracts the round's pages one by one in the main thread before the
next round starts. So ours runs with per-host concurrency 1 as well.

Run: ``.venv/bin/python -m bench.ingest_throughput [--pages N] [--hosts H] [--delay S]``.
Writes ``bench/out/ingest_throughput.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.dataset import DataSet, locate
from bench.machine import command, describe

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent
PATH_RE = re.compile(r"^/p/(\d+)\.html$")
# Proxy variables would send trafilatura's downloads through a SOCKS proxy.
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@dataclass(frozen=True)
class Limits:
    """The per-host and per-request limits both sides run with."""

    per_host_concurrency: int = 1
    per_host_delay_s: float = 0.1
    workers: int = 16
    max_redirects: int = 5
    timeout_s: int = 20
    max_body_bytes: int = 10_000_000


def loopback_hosts(count: int) -> list[str]:
    """``count`` loopback addresses from 127.0.0.2 on (127.0.0.1 is left to everything else)."""
    if not 1 <= count <= 253:
        raise ValueError("between 1 and 253 loopback hosts")
    return [f"127.0.0.{n}" for n in range(2, 2 + count)]


def spread_urls(bases: Sequence[str], count: int) -> list[str]:
    """``count`` unique page URLs, dealt round-robin over the ``bases`` (``http://host:port``)."""
    if not bases:
        raise ValueError("no hosts to spread over")
    width = max(4, len(str(count - 1)))
    return [f"{bases[i % len(bases)]}/p/{i:0{width}d}.html" for i in range(count)]


def page_number(path: str) -> int | None:
    """The URL number of ``/p/NNNN.html`` (query ignored), None for any other path."""
    match = PATH_RE.match(path.split("?", 1)[0])
    return int(match.group(1)) if match else None


def latency_for(seed: int, path: str, low_s: float, high_s: float) -> float:
    """The response latency of ``path``: random in [low, high], fixed by the seed and path."""
    return random.Random(f"{seed}:{path}").uniform(low_s, high_s)


def serial_floor_s(per_host: Sequence[Sequence[float]], delay_s: float) -> float:
    """Least wall time with one request at a time per host, ``delay_s`` between starts."""
    return max((sum(max(delay_s, lat) for lat in host) for host in per_host), default=0.0)


def rounds_floor_s(per_host: Sequence[Sequence[float]], delay_s: float) -> float:
    """Least wall time in trafilatura's rounds: round ``r`` takes the ``r``-th URL of every
    host and lasts as long as its slowest response (at least ``delay_s``)."""
    rounds = max((len(host) for host in per_host), default=0)
    return sum(
        max(delay_s, *(host[r] for host in per_host if r < len(host))) for r in range(rounds)
    )


def our_env(limits: Limits, ports: Sequence[int]) -> dict[str, str]:
    """The ``ARTICLE_INGEST_*`` variables our side runs with."""
    return {
        "ARTICLE_INGEST_BACKEND": "local",
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps(sorted(set(ports))),
        "ARTICLE_INGEST_PER_HOST_CONCURRENCY": str(limits.per_host_concurrency),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": str(limits.per_host_delay_s),
        "ARTICLE_INGEST_FETCH_WORKERS": str(limits.workers),
        "ARTICLE_INGEST_MAX_REDIRECTS": str(limits.max_redirects),
        "ARTICLE_INGEST_FETCH_DEADLINE_S": str(limits.timeout_s),
        "ARTICLE_INGEST_MAX_BODY_BYTES": str(limits.max_body_bytes),
    }


def trafilatura_settings(limits: Limits) -> dict[str, str]:
    """The keys of trafilatura's settings file we set (the rest keep its defaults)."""
    return {
        "SLEEP_TIME": str(limits.per_host_delay_s),
        "MAX_REDIRECTS": str(limits.max_redirects),
        "DOWNLOAD_TIMEOUT": str(limits.timeout_s),
        "MAX_FILE_SIZE": str(limits.max_body_bytes),
        "SSRF_PROTECTION": "off",
    }


def settings_file_text(values: Mapping[str, str]) -> str:
    """A trafilatura settings file overriding ``values`` in its ``[DEFAULT]`` section."""
    for key, value in values.items():
        if not re.fullmatch(r"[A-Z_]+", key) or "\n" in value:
            raise ValueError(f"bad setting {key!r} = {value!r}")
    lines = ["# written by bench.ingest_throughput", "[DEFAULT]"]
    return "\n".join([*lines, *(f"{k} = {v}" for k, v in values.items())]) + "\n"


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without our settings and proxies, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ARTICLE_INGEST_") and k.lower() not in PROXY_VARS
    }
    return {**env, **extra}


# -- the page server -------------------------------------------------------------------------


@dataclass
class HostStats:
    """What one host's server saw."""

    requests: int = 0
    pages: int = 0
    gzip: int = 0
    not_found: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    min_start_gap_s: float | None = None
    last_start: float | None = None


class PageServer(ThreadingHTTPServer):
    """Serves ``/p/NNNN.html`` on one address: page ``NNNN mod len(pages)``, after a latency."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(
        self, host: str, pages: Sequence[bytes], seed: int, latency_s: tuple[float, float]
    ) -> None:
        super().__init__((host, 0), _Handler)
        self.pages = pages  # gzip bytes
        self.seed = seed
        self.latency_s = latency_s
        self.lock = threading.Lock()
        self.stats = HostStats()

    @property
    def base(self) -> str:
        """``http://host:port``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def reset_stats(self) -> HostStats:
        """Return the stats so far and start counting afresh."""
        with self.lock:
            stats, self.stats = self.stats, HostStats()
        return stats


class _Handler(BaseHTTPRequestHandler):
    server: PageServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        server = self.server
        now = time.monotonic()
        with server.lock:
            s = server.stats
            s.requests += 1
            if s.last_start is not None:
                gap = now - s.last_start
                s.min_start_gap_s = (
                    gap if s.min_start_gap_s is None else min(s.min_start_gap_s, gap)
                )
            s.last_start = now
            s.in_flight += 1
            s.max_in_flight = max(s.max_in_flight, s.in_flight)
        try:
            time.sleep(latency_for(server.seed, self.path, *server.latency_s))
        finally:
            with server.lock:
                server.stats.in_flight -= 1
        number = page_number(self.path)
        if number is None:
            with server.lock:
                server.stats.not_found += 1
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = server.pages[number % len(server.pages)]
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "").lower()
        if not gzipped:
            body = gzip.decompress(body)
        with server.lock:
            server.stats.pages += 1
            server.stats.gzip += gzipped
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def load_pages(data: DataSet) -> list[bytes]:
    """Every page of the set as its gzip file, in id order."""
    return [(data.root / "html" / f"{i}.html.gz").read_bytes() for i in data.ids()]


# -- the two sides ----------------------------------------------------------------------------


@dataclass
class Side:
    """One side's run."""

    command: list[str]
    wall_s: float
    cpu_s: float
    exit_code: int
    stderr_tail: str


def _timed(cmd: list[str], env: dict[str, str], stdout: Path, stderr: Path) -> Side:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        code = subprocess.run(cmd, env=env, stdout=out, stderr=err, timeout=900).returncode
        wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = stderr.read_text(errors="replace")[-600:]
    return Side(cmd, round(wall, 3), round(cpu, 3), code, tail)


def run_ours(urls_file: Path, work: Path, limits: Limits, ports: Sequence[int]) -> dict[str, Any]:
    """``article-ingest ingest`` on the URL list; counts the final status of every URL."""
    data_dir = work / "data"
    cmd = [
        str(BIN / "article-ingest"),
        "ingest",
        "--urls-file",
        str(urls_file),
        "--data-dir",
        str(data_dir),
        "--json",
    ]
    env = clean_env(our_env(limits, ports))
    side = _timed(cmd, env, work / "ours.out", work / "ours.err")
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in (work / "ours.out").read_text().splitlines():
        article = json.loads(line)
        statuses[article["status"]] += 1
        if article.get("error"):
            errors[article["error"]["code"]] += 1
    return {
        **asdict(side),
        "env": our_env(limits, ports),
        "indexed": statuses.get("indexed", 0),
        "failed": statuses.get("failed", 0),
        "statuses": dict(statuses),
        "error_codes": dict(errors),
        "duplicates": sum(
            1
            for line in (work / "ours.out").read_text().splitlines()
            if json.loads(line).get("duplicate_of")
        ),
    }


def run_trafilatura(urls_file: Path, work: Path, limits: Limits) -> dict[str, Any]:
    """trafilatura's command line on the URL list; counts the outputs it wrote."""
    settings = trafilatura_settings(limits)
    config = work / "trafilatura-settings.cfg"
    config.write_text(settings_file_text(settings))
    out_dir, raw_dir = work / "trafilatura-out", work / "trafilatura-raw"
    cmd = [
        str(BIN / "trafilatura"),
        "-i",
        str(urls_file),
        "-o",
        str(out_dir),
        "--backup-dir",
        str(raw_dir),
        "--parallel",
        str(limits.workers),
        "--config-file",
        str(config),
    ]
    side = _timed(cmd, clean_env({}), work / "trafilatura.out", work / "trafilatura.err")
    stderr = (work / "trafilatura.err").read_text(errors="replace")
    return {
        **asdict(side),
        "settings_file": settings,
        "outputs": sum(1 for p in out_dir.rglob("*") if p.is_file()) if out_dir.exists() else 0,
        "raw_kept": sum(1 for p in raw_dir.rglob("*") if p.is_file()) if raw_dir.exists() else 0,
        "no_result": stderr.count("No result for URL"),
        "error_lines": stderr.count("ERROR"),
    }


def _host_stats(servers: Sequence[PageServer]) -> dict[str, Any]:
    stats = {s.base: s.reset_stats() for s in servers}
    gaps = [st.min_start_gap_s for st in stats.values() if st.min_start_gap_s is not None]
    return {
        "requests": sum(st.requests for st in stats.values()),
        "pages": sum(st.pages for st in stats.values()),
        "gzip": sum(st.gzip for st in stats.values()),
        "not_found": sum(st.not_found for st in stats.values()),
        "max_in_flight_per_host": max(st.max_in_flight for st in stats.values()),
        "min_start_gap_per_host_s": round(min(gaps), 4) if gaps else None,
    }


class SideCrashed(RuntimeError):
    """A side's process died from a signal: its time says nothing about its speed."""


def check_completed(sides: dict[str, dict[str, Any]]) -> None:
    """Raise when a side was killed by a signal (an abort or a segmentation fault): a run
    that died after two seconds once made a ratio of 0.04 (exit 1, some URLs failed, is fine)."""
    for name, side in sides.items():
        if side["exit_code"] < 0:
            tail = side["stderr_tail"].strip().splitlines()[-1:]
            raise SideCrashed(
                f"{name} died with signal {-side['exit_code']} after {side['wall_s']} s: "
                + " ".join(tail)
            )


def run(
    pages: int, hosts: int, limits: Limits, seed: int, latency_s: tuple[float, float]
) -> dict[str, Any]:
    """Serve the pages, run both sides one after the other, return the measurements."""
    data = locate()
    bodies = load_pages(data)
    servers = [PageServer(h, bodies, seed, latency_s) for h in loopback_hosts(hosts)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    try:
        urls = spread_urls([s.base for s in servers], pages)
        ports = [int(s.server_address[1]) for s in servers]
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            work = Path(tmp)
            urls_file = work / "urls.txt"
            urls_file.write_text("\n".join(urls) + "\n")
            logger.info("ours: %d URLs over %d hosts", pages, hosts)
            ours = run_ours(urls_file, work, limits, ports)
            ours["server"] = _host_stats(servers)
            logger.info("trafilatura: %d URLs over %d hosts", pages, hosts)
            theirs = run_trafilatura(urls_file, work, limits)
            theirs["server"] = _host_stats(servers)
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
    per_host = [
        [latency_for(seed, "/" + u.split("/", 3)[3], *latency_s) for u in urls[h::hosts]]
        for h in range(hosts)
    ]
    check_completed({"ours": ours, "trafilatura": theirs})
    for side, ok in ((ours, ours["indexed"]), (theirs, theirs["outputs"])):
        side["pages_per_s"] = round(pages / side["wall_s"], 2)
        side["ok"] = ok
    return {
        "dataset": {"name": data.name, "root": str(data.root), "distinct_pages": len(bodies)},
        "ours": ours,
        "trafilatura": theirs,
        "ratio_wall": round(ours["wall_s"] / theirs["wall_s"], 3),
        # Latency alone, no processing: what each side's per-host model could at best reach.
        "floor_s": {
            "ours": round(serial_floor_s(per_host, limits.per_host_delay_s), 2),
            "trafilatura": round(rounds_floor_s(per_host, limits.per_host_delay_s), 2),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=1000, help="URLs to ingest")
    parser.add_argument("--hosts", type=int, default=4, help="loopback addresses to spread over")
    parser.add_argument("--delay", type=float, default=Limits.per_host_delay_s, help="per host")
    parser.add_argument("--workers", type=int, default=Limits.workers)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    limits = Limits(per_host_delay_s=args.delay, workers=args.workers)
    latency = (0.05, 0.2)
    result = run(args.pages, args.hosts, limits, args.seed, latency)
    report = {
        "benchmark": "ingest_throughput",
        "pages": args.pages,
        "hosts": args.hosts,
        "latency_s": list(latency),
        "seed": args.seed,
        "limits": asdict(limits),
        **result,
        "machine": describe(),
        "command": command("bench.ingest_throughput", argv),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingest_throughput.json").write_text(json.dumps(report, indent=2) + "\n")
    for name in ("ours", "trafilatura"):
        side = report[name]
        print(
            f"{name:>12}: {args.pages} URLs in {side['wall_s']:.1f} s ({side['pages_per_s']} "
            f"pages/s, CPU {side['cpu_s']:.1f} s), ok {side['ok']}, exit {side['exit_code']}"
        )
    print(f"ratio ours / trafilatura: {report['ratio_wall']:.2f}")
    return report


if __name__ == "__main__":
    main()
