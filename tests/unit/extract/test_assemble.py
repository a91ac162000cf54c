"""core.extract.assemble turns page bytes into an Article; the content hash is taken once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.extract.assemble import assemble
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
