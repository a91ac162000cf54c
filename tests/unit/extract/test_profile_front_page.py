"""A site's front page of cards reads as its sections: each section's heading, then its items."""

from __future__ import annotations

from pathlib import Path

from core.extract.assemble import assemble
from core.models import PageType
from core.ports import PageInput

PAGE = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes" / "front-page.html"
SECTIONS = {
    "Local": "The old stone bridge reopens after two years of repairs",
    "Sport": "Town reach the county cup final for the first time",
    "Culture": "Community choir celebrates its fiftieth season",
}


def _lines(url: str) -> list[str]:
    article = assemble(PageInput(body=PAGE.read_bytes(), url=url, article_id="front"))
    assert article is not None
    assert article.page_type is PageType.LISTING
    return article.text.split("\n")


def test_a_front_page_keeps_each_section_heading_above_its_items() -> None:
    lines = _lines("https://gazette.example/")
    for heading, first_title in SECTIONS.items():
        assert lines.index(heading) + 1 == lines.index(first_title)
    assert "Valley marathon moves to an autumn date" in lines
    assert not any("Subscribe" in line or "Privacy" in line for line in lines)


def test_a_card_listing_deeper_in_the_site_keeps_its_cards() -> None:
    text = "\n".join(_lines("https://gazette.example/news/"))
    for title in SECTIONS.values():
        assert title in text
