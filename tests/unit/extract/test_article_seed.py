"""The seed article: title and body only, language fr, its date and site — in every rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import SEED_URL

from article_ingest.offline import extract_file
from core.models import ArticleStatus

NOISE = [
    "Infos",
    "A La Une",
    "INFO EN CONTINU",  # breadcrumbs
    "Ilhan Omar",
    "© Irna",  # captions
    "Lire aussi",
    "Partager Cet Article",
    "SOURCE: FRENCH PRESS TV",  # related, share, source
    "cookies",
    "Les plus lus",
    "Commentaires",
    "Merci pour cet article",
    "Accueil",  # page chrome
]
FIRST = "« L'Iran et la Russie doivent utiliser pleinement leurs capacités"
LAST = "d’un certain nombre d’autres pays occidentaux.»"
RENDERINGS = {
    "presstv-fr-gaza.html": None,
    "presstv-fr-gaza-noisy.html": None,
    "presstv-fr-gaza-cp1252-header.html": "text/html; charset=windows-1252",
    "presstv-fr-gaza-cp1252-undeclared.html": "text/html",
}


@pytest.fixture(scope="module")
def reference(pages_dir: Path) -> str:
    result = extract_file(pages_dir / "presstv-fr-gaza.html", SEED_URL)
    assert result.text is not None
    return result.text


@pytest.mark.parametrize(("name", "content_type"), RENDERINGS.items())
def test_rendering_gives_title_and_body_only(
    pages_dir: Path, reference: str, name: str, content_type: str | None
) -> None:
    result = extract_file(pages_dir / name, SEED_URL, content_type)
    assert result.status is ArticleStatus.EXTRACTED
    assert result.title == "L’Iran et la Russie insistent sur la fin du carnage d’Israël à Gaza"
    assert result.language == "fr"
    assert result.date == "2023-10-28"
    assert result.sitename == "French Press TV"
    assert result.hostname == "french.presstv.ir"
    assert result.text is not None
    assert result.text.startswith(FIRST)
    assert result.text.endswith(LAST)
    assert result.text == reference
    assert len(result.text.splitlines()) == 13  # the 13 body paragraphs
    for noise in NOISE:
        assert noise not in result.text, noise


def test_legacy_encoding_is_decoded_like_a_browser(pages_dir: Path) -> None:
    declared = extract_file(
        pages_dir / "presstv-fr-gaza-cp1252-header.html", SEED_URL, "text/html; charset=iso-8859-1"
    )
    undeclared = extract_file(pages_dir / "presstv-fr-gaza-cp1252-undeclared.html", SEED_URL)
    # iso-8859-1 means windows-1252 to a browser: the curly apostrophe survives.
    assert declared.charset == "cp1252"
    assert undeclared.charset == "cp1252"
    assert "d’Israël" in (declared.title or "")
    assert "\ufffd" not in (undeclared.text or "")
