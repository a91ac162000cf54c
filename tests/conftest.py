"""Shared fixtures: sample pages, a local page server, settings on a temp data dir."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from tests.support.page_server import PageServer

# The language model's decompressed file (core.extract.language_model) goes to a cache of the
# tests' own, never to the home directory of whoever runs them; workers and commands inherit it.
os.environ.setdefault(
    "ARTICLE_INGEST_CACHE_DIR", str(Path(tempfile.gettempdir()) / "article-ingest-test-cache")
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED_URL = "https://french.presstv.ir/Detail/2023/10/28/713402/iran-russie-gaza"


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    return PAGES


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    with PageServer(PAGES) as server:
        yield server


@pytest.fixture
def local_settings(tmp_path: Path, page_server: PageServer) -> Settings:
    """Embedded-default settings that may fetch from the local page server."""
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_networks=True,
        allowed_ports=[80, 443, page_server.port],
        per_host_delay_s=0,
        per_host_concurrency=8,
        respect_robots=True,
    )
