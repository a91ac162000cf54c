"""A page where extraction finds no text at all (its HTML a loading screen, the content drawn
by scripts) gives its declared description instead of nothing; never on a page with text."""

from __future__ import annotations

from core.extract.assemble import assemble
from core.models import Article
from core.ports import PageInput

SUMMARY = (
    "Our allotment society is looking for two volunteers to run the seed swap in March: "
    "sorting donated packets, labelling them by sowing month and staffing the table."
)


def _shell(description: str, body: str = "") -> bytes:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Seed swap volunteers</title>"
        f"<meta name='description' content='{description}'>"
        f"<meta property='og:description' content='{description}'>"
        "<script src='/assets/app.js'></script></head>"
        f"<body><div id='app'></div>{body}<noscript>Please enable JavaScript.</noscript>"
        "</body></html>"
    ).encode()


def _assemble(body: bytes, url: str = "https://plots.example/notices/seed-swap") -> Article | None:
    return assemble(PageInput(body=body, url=url, article_id="a"))


def test_a_page_drawn_by_scripts_gives_its_declared_description() -> None:
    article = _assemble(_shell(SUMMARY))
    assert article is not None
    assert article.text == SUMMARY


def test_a_declared_description_too_short_for_an_article_still_gives_nothing() -> None:
    assert _assemble(_shell("Seed swap volunteers wanted.")) is None


def test_a_page_with_text_keeps_its_text_and_not_the_description() -> None:
    story = "".join(
        f"<p>Paragraph {i}: the seed swap table sits by the gate, and each packet is sorted by"
        " the month it should be sown, so that visitors find what they need quickly.</p>"
        for i in range(6)
    )
    article = _assemble(_shell(SUMMARY, f"<article><h1>Seed swap</h1>{story}</article>"))
    assert article is not None
    assert "the seed swap table sits by the gate" in (article.text or "")
    assert "looking for two volunteers" not in (article.text or "")
