"""Hostile pages through the real pipeline (fetched from loopback): each ends ``failed`` with
its own non-retryable code, and an ordinary page ingested at the same time is unaffected."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.extractors import InProcessExtractor
from core.models import ArticleStatus
from core.ports import PageInput
from core.services import Services
from core.settings import Settings
from tests.integration import hostile_pages
from tests.support.page_server import PageServer

HOSTILE = {
    "attribute-heavy-1.html": (hostile_pages.attribute_heavy(), "extraction_timeout"),
    "attribute-heavy-2.html": (
        hostile_pages.attribute_heavy(attributes=8_000),
        "extraction_timeout",
    ),
    "siblings.html": (hostile_pages.sibling_paragraphs(), "too_complex"),
    "attributes.html": (hostile_pages.many_attributes(), "too_complex"),
    "deep.html": (hostile_pages.deep_nesting(), "too_complex"),
}


def test_hostile_pages_fail_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name, (body, _) in HOSTILE.items():
        (site / name).write_bytes(body)
    normal = hostile_pages.normal_page()
    (site / "normal.html").write_bytes(normal)
    with PageServer(site) as server:
        services = Services(
            Settings(
                data_dir=tmp_path / "data",
                allow_private_networks=True,
                allowed_ports=[server.port],
                per_host_delay_s=0,
                per_host_concurrency=8,
                respect_robots=False,
                # one worker and two spares, each page 2 s: an attribute-heavy page needs
                # about fifteen seconds of CPU, an ordinary page a few milliseconds
                extraction_workers=1,
                extraction_spare_workers=2,
                extraction_timeout_s=2,
                extraction_cpu_s=2,
            )
        )
        urls = [server.url(name) for name in HOSTILE]
        with ThreadPoolExecutor(len(urls)) as threads:
            hostile = threads.map(services.pipeline.ingest, urls)
            article = services.pipeline.ingest(server.url("normal.html"))
            results = dict(zip(HOSTILE, hostile, strict=True))
    for name, (_, code) in HOSTILE.items():
        result = results[name]
        assert result.status is ArticleStatus.FAILED, name
        assert result.error is not None
        assert (result.error.code, result.error.retryable) == (code, False), name
        assert result.raw_html_uri  # the bytes are kept for a look at what happened
    assert article.status is ArticleStatus.EXTRACTED
    alone = InProcessExtractor().assemble(
        PageInput(body=normal, url=article.url, article_id=article.id)
    )
    assert alone is not None
    assert (article.title, article.text, article.language) == (
        alone.title,
        alone.text,
        alone.language,
    )


def test_nested_author_divs_are_extracted_within_the_cpu_budget() -> None:
    """250 nested ``<div class="author">`` around 20,000 spans kept a process busy ~130 s; the
    byline search is linear now, and the page is an article like another within the default
    CPU budget (the wall-clock one is raised: this machine may be loaded)."""
    from core.extraction_pool import ExtractionPool, PoolLimits

    limits = PoolLimits(size=1, spare=0, wall_s=300, cpu_s=Settings().extraction_cpu_s)
    pool = ExtractionPool(limits)
    try:
        article = pool.assemble(
            PageInput(
                body=hostile_pages.nested_authors(), url="https://a.example/x", article_id="x"
            )
        )
    finally:
        pool.close()
    assert article is not None
    assert article.author is None  # every candidate's text is far too long for a byline
    assert article.word_count >= 20_000  # one word per span
