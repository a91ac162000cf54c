"""``make api-fuzz``: schemathesis, every check and every phase, against ``serve``.

Seeds a fresh data directory with a few fixture pages (ingested from a loopback page server
and indexed, so the read routes have articles to answer with), starts the API server of
``article-ingest serve`` in this process on a free loopback port, then runs the schemathesis
CLI (``tests/e2e/schemathesis.toml``) against its ``/openapi.json``; the OpenAPI links lead it
from listings to the articles. The server never fetches anything: every submission is queued
(``sync_batch_limit=0``), the queue is never drained, and the fetcher ``POST /discover``
reads feeds with resolves no name and dials no address (``tests.support.offline``). Exits with
schemathesis' status.

    .venv/bin/python -m tests.e2e.api_fuzz [extra schemathesis options, e.g. --seed 7]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from article_ingest.runtime import LocalRuntime
from article_ingest.serve import make_server
from core.services import Services
from core.settings import Settings
from core.submission import Submitter
from tests.support.offline import offline_fetcher

CONFIG = Path(__file__).with_name("schemathesis.toml")
PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
SEED_PAGES = ("harbour-solar-ferry-en.html", "huerto-urbano-es.html", "presstv-fr-gaza.html")


class _QuietPages(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def seed(data_dir: Path) -> int:
    """Ingest and index ``SEED_PAGES`` into ``data_dir`` from 127.0.0.1; how many stored."""
    handler = partial(_QuietPages, directory=str(PAGES))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as pages:
        threading.Thread(target=pages.serve_forever, name="pages", daemon=True).start()
        port = int(pages.server_address[1])
        settings = Settings(
            data_dir=data_dir,
            allow_private_networks=True,
            allowed_ports=[port],
            respect_robots=False,
            per_host_delay_s=0,
        )
        services = Services(settings)
        urls = [f"http://127.0.0.1:{port}/{name}" for name in SEED_PAGES]
        results = Submitter(services).ingest(urls)
        LocalRuntime(services).drain()
        pages.shutdown()
    return sum(result.status in ("extracted", "indexed") for result in results)


def command(url: str, extra: list[str]) -> list[str]:
    """The schemathesis command line for the server at ``url``."""
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        *extra,
        "--checks",
        "all",
    ]


def main(extra: list[str]) -> int:
    """Fuzz a fresh server; the schemathesis exit status."""
    with tempfile.TemporaryDirectory(prefix="api-fuzz-") as tmp:
        data_dir = Path(tmp) / "data"
        stored = seed(data_dir)
        if stored != len(SEED_PAGES):
            print(f"seeding stored {stored} of {len(SEED_PAGES)} pages", file=sys.stderr)
            return 2
        settings = Settings(data_dir=data_dir, sync_batch_limit=0, webhook_secret="fuzz")
        server = make_server("127.0.0.1", 0, settings, drain=False)
        server.services.__dict__["fetcher"] = offline_fetcher()
        thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
        thread.start()
        try:
            return subprocess.run(command(server.url, extra), check=False).returncode
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
