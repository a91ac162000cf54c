"""core.assemble turns page bytes into an Article; the content hash is taken once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.assemble import assemble
from core.ids import article_id
from core.ports import PageInput

URL = "https://www.example.org/fr/gaza"


def _page(pages_dir: Path, **extra: str) -> PageInput:
    body = (pages_dir / "presstv-fr-gaza.html").read_bytes()
    return PageInput(body=body, url=URL, article_id=article_id(URL), **extra)


def test_the_hash_of_the_raw_bytes_is_taken_when_none_is_given(pages_dir: Path) -> None:
    page = _page(pages_dir)
    article = assemble(page)
    assert article is not None
    assert article.content_sha256 == hashlib.sha256(page.body).hexdigest()


def test_the_hash_the_raw_store_took_is_used_as_it_is(pages_dir: Path) -> None:
    given = "ab" * 32
    article = assemble(_page(pages_dir, content_sha256=given))
    assert article is not None
    assert article.content_sha256 == given
    assert article.language == "fr"


def test_a_page_fetched_from_its_declared_canonical_is_marked_canonical(pages_dir: Path) -> None:
    """Worked out where the URL tools are (the indexer bundle has no courlan), from the URL
    the page came from after redirects, normalised (case, fragment, tracking parameters)."""
    canonical = "https://french.presstv.ir/Detail/2023/10/28/713402/iran-russie-gaza"
    copy = assemble(_page(pages_dir))
    own = assemble(_page(pages_dir, final_url="https://FRENCH.presstv.ir" + canonical[25:]))
    tracked = assemble(_page(pages_dir, final_url=canonical + "?utm_source=feed#top"))
    assert copy is not None
    assert own is not None
    assert tracked is not None
    assert (copy.canonical_url, copy.is_canonical) == (canonical, False)
    assert own.is_canonical
    assert tracked.is_canonical
