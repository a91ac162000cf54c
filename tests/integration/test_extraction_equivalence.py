"""Every shared benchmark page: through the worker pool exactly the in-process result, and on
every page classified ``article`` exactly the text of the reference.

Skipped where ``../shared/bench`` is absent (CI has it beside the clone). The digest script
``python -m bench.extraction_digest`` compares one version of the code with another the same
way.

``ARTICLE_TEXTS`` holds each page's text hash (``bench.extraction_digest.text_hash``) as the
article profile (``core.extract.profile_article``) extracts it, regenerated on purpose at the
commit that added that profile (branch ``articles``, on main 31fd1c1): it changes the text of
article pages (a recall pass where trafilatura lost the article's lists, repeated paragraphs
kept once; docs/extraction.md), and again on branch ``artq`` (on main 4c26595), where the
profile started cutting the blocks that follow an article (``without_closing``: share, author,
newsletter and related-post blocks, widget lines: the hashes of the 44 article pages it
changes were updated, the other entries left as they were). The command::

    python -m bench.extraction_digest OUT --text-hashes tests/fixtures/text_hashes_articles.json

The previous reference (``text_hashes_before_page_types.json``, main at f5d4e5e) held the
texts from before page types. Pages of another type may differ from the reference (their
profiles change the text, on purpose); an ``article`` page may not, unless the article
profile changes and the reference is regenerated with it.

On branch ``routing`` (rebased on main 0906ee1) the entries of the 12 pages that the classifier now
routes to the article profile (newsletter posts on ``/p/`` paths declared ``og:type`` article,
about pages, a dated story on a ``developers.`` host; docs/extraction.md, "Routing") were
replaced by their article-profile text hashes from the same command; no other entry changed.

On branch ``artq2`` (on main 877a3e0) the article profile takes the page's sections where
trafilatura's text is a small part of them (``profile_article.sections_text``): the entries of
the 29 article pages whose text it changes were replaced by their hashes from the same command
(run at the branch's commit 4500b80); no other entry changed.

On branch ``forum3`` (on main bba8227) a page whose profile finds no text, or too few words
for an article, gives its declared description (``core.extract.article``): the two pages
classified ``article`` that had no text before (entries ``null``) now have the hash of their
description, computed with ``bench.extraction_digest.outcome`` and ``text_hash`` on those
pages; no other entry changed.

On branch ``service4`` (merged on main at 79e1025) the page's sections replace trafilatura's
text when that text is mostly chrome the walk leaves out (menus, pop-ups, consent banners;
``profile_sections``), in the article profile's sections fallback too: the three pages
classified ``article`` whose text it changes (wcxb-dev-other-types 3052, 3076, 4247; none of
the article folder) have their new hashes, computed the same way; no other entry changed.

On branch ``article5`` (on main 8ec2911) the article profile drops control and teaser lines
wherever they stand and cuts at more closing headings (``profile_article.without_controls``,
``_CLOSING``, ``_TEASERS``): the 120 pages classified ``article`` whose text it changes (101
of the article folder) have their new hashes (``text_hash`` of the text ``core.extract.assemble``
gives at the branch's code); no other entry changed.
On branch ``service6`` (on main cebee96) the article profile's sections fallback needs only
1.2 times trafilatura's words, not 2, on a page that declares no date (``profile_article.dated``:
service pages rarely do): the 24 pages classified ``article`` whose text it changes (6 of the
article folder) have their new hashes, computed the same way at merged main 9ee295a; no other
entry changed.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from bench.extraction_digest import SHARED, differences, outcome, shared_pages, text_hash

from core.extraction_pool import ExtractionPool, PoolLimits
from core.extractors import InProcessExtractor

ARTICLE_TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "text_hashes_articles.json"

pytestmark = pytest.mark.skipif(
    not (SHARED / "wcxb-dev-articles").is_dir(), reason="no ../shared/bench"
)


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str, bytes]]:
    found = list(shared_pages())
    assert len(found) > 1000
    return found


@pytest.fixture(scope="module")
def alone(pages: list[tuple[str, str, bytes]]) -> dict[str, Any]:
    extractor = InProcessExtractor()
    return {name: outcome(extractor, url, body, name) for name, url, body in pages}


def test_pool_equals_in_process_on_every_shared_page(
    pages: list[tuple[str, str, bytes]], alone: dict[str, Any]
) -> None:
    # budgets far above any real page's, so a loaded machine cannot turn one into a failure
    pool = ExtractionPool(PoolLimits(size=2, wall_s=300, cpu_s=300))
    try:
        with ThreadPoolExecutor(3) as threads:
            pooled = list(threads.map(lambda p: outcome(pool, p[1], p[2], p[0]), pages))
    finally:
        pool.close()
    names = [name for name, _, _ in pages]
    assert differences(alone, dict(zip(names, pooled, strict=True))) == []
    assert sum(result is not None for result in alone.values()) > 1000


def test_article_pages_keep_the_reference_text(alone: dict[str, Any]) -> None:
    before: dict[str, str | None] = json.loads(ARTICLE_TEXTS.read_text("utf-8"))
    assert set(before) == set(alone)
    articles = {
        name: result
        for name, result in alone.items()
        if isinstance(result, dict) and result.get("page_type") == "article"
    }
    assert len(articles) > 700
    changed = sorted(name for name, result in articles.items() if text_hash(result) != before[name])
    assert changed == []
