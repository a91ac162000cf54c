"""The article profile's sections fallback on a page that declares no publication date (a
service page read as an article): its sections replace a text they hold 1.2 times over, where
a dated page needs twice its words."""

from __future__ import annotations

from core.extract.loading import load_html
from core.extract.profile_article import dated, sections_text

CARDS = [
    ("Plumbing repairs", "Leaking taps and burst pipes fixed the same day by our own fitters."),
    ("Boiler service", "A yearly check keeps the warranty valid and the heating bills low."),
    ("Drain clearing", "Blocked sinks and drains cleared with a camera survey when needed."),
]
TEXT = "\n".join(f"{title}\n{line}" for title, line in CARDS[:2])


def _page(head: str = "") -> str:
    cards = "".join(f"<section><h2>{t}</h2><p>{line}</p></section>" for t, line in CARDS)
    links = "".join(f'<li><a href="/p{i}">Page number {i} of the site</a></li>' for i in range(60))
    return (
        f"<html><head><title>Fitters</title>{head}</head><body>"
        f"<nav><ul>{links}</ul></nav><main><h1>Our services</h1>{cards}</main>"
        f"<footer><ul>{links}</ul></footer></body></html>"
    )


def test_an_undated_page_takes_sections_holding_more_than_its_text() -> None:
    tree = load_html(_page())
    assert tree is not None
    assert not dated(tree)
    sections = sections_text(tree, TEXT)
    assert sections is not None
    assert "Drain clearing" in sections


def test_a_dated_page_keeps_its_text() -> None:
    head = '<meta property="article:published_time" content="2026-01-02">'
    tree = load_html(_page(head))
    assert tree is not None
    assert dated(tree)
    assert sections_text(tree, TEXT) is None


def test_a_json_ld_date_dates_the_page() -> None:
    head = '<script type="application/ld+json">{"datePublished": "2026-01-02"}</script>'
    tree = load_html(_page(head))
    assert tree is not None
    assert dated(tree)
