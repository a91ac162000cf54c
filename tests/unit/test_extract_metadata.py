"""How core.extract picks the title and the byline, and how core.language samples text."""

from __future__ import annotations

import pytest
from trafilatura.xpaths import AUTHOR_XPATHS

from core import language
from core.extract import (
    _AUTHOR_XPATHS,
    _byline_candidates,
    _load,
    extract_article,
    headline,
    markup_author,
)

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>How to Plant Tomatoes in Spring | Garden Weekly</title></head><body>
<header><h1>Garden Weekly</h1></header>
<main><article><h1>How to Plant Tomatoes in Spring</h1>
<div class="author">By <a rel="author" href="/jo">Jo Grower</a></div>
<p>Tomatoes want warm soil, so wait until the last frost has passed before planting them out.</p>
<p>Dig a deep hole, bury most of the stem, and water well; roots will grow along it.</p>
<p>Stake the plants early and pinch out side shoots every week to keep them productive.</p>
</article></main></body></html>"""


def test_the_headline_that_agrees_with_the_declared_title_wins() -> None:
    tree = _load(PAGE)
    assert headline(tree, "How to Plant Tomatoes in Spring | Garden Weekly") == (
        "How to Plant Tomatoes in Spring"
    )


def test_the_declared_title_stays_when_no_headline_agrees() -> None:
    tree = _load(PAGE)
    assert headline(tree, "Completely different words") == "Completely different words"
    assert headline(tree, None) is None


def test_extraction_uses_the_headline_and_drops_it_from_the_text() -> None:
    extraction = extract_article(PAGE, "https://garden.example/tomatoes")
    assert extraction is not None
    assert extraction.title == "How to Plant Tomatoes in Spring"
    assert extraction.text.startswith("Tomatoes want warm soil")


def test_markup_author_skips_bylines_in_discarded_sections() -> None:
    page = PAGE.replace(
        '<div class="author">',
        '<div class="sidebar"><span class="author">Ad</span></div><div class="author">',
    )
    assert markup_author(_load(page)) == "Jo Grower"
    hidden = PAGE.replace('<div class="author">', '<div class="comments"><div class="author">')
    assert markup_author(_load(hidden + "</div>")) is None


def test_markup_author_ignores_text_of_discarded_descendants() -> None:
    page = PAGE.replace("Jo Grower</a>", "Jo Grower</a><time>May 3</time>")
    assert markup_author(_load(page)) == "Jo Grower"


def test_language_sample_is_bounded_and_cut_between_words() -> None:
    text = "mot " * 1000
    sample = language._sample(text)
    assert len(sample) <= language.SAMPLE_CHARS
    assert sample.endswith("mot")
    assert language._sample("court") == "court"


def test_language_of_a_long_text_and_the_declared_fallback() -> None:
    french = "Le gouvernement a annoncé mardi une nouvelle série de mesures pour les écoles. " * 30
    assert language.detect_language(french, "en") == "fr"
    assert language.detect_language("Bonjour", "fr-FR") == "fr"


# One element per alternative of trafilatura's byline XPaths, each on a tag that it accepts and
# on one that it does not, with near misses ("Authority", "by-line") that no test accepts.
_BYLINE_ATTRIBUTES = [
    'rel="author"',
    'id="author"',
    'class="author"',
    'itemprop="author name"',
    'data-testid="AuthorCard"',
    'data-testid="AuthorURL"',
    'class="x authorname"',
    'class="author-name"',
    'class="AuthorName"',
    'class="authorName"',
    'class="byline"',
    'class="username"',
    'class="byl"',
    'class="BBL"',
    'itemprop="creator author"',
    'id="post-author"',
    'id="zuozhe"',
    'id="bianji1"',
    'id="xiaobian"',
    'class="authors"',
    'class="channel-name"',
    'class="zuozhe"',
    'class="bianji"',
    'class="xiaobian"',
    'class="submitted-by"',
    'class="posted-by"',
    'class="journalist-name"',
    'data-component="Byline"',
    'id="Author"',
    'class="PostAuthor"',
    'class="screenname"',
    'class="writer"',
    'class="Byline"',
    'class="by-line"',
    'class="Authority"',
    'id="au-thor"',
    'class="byl name"',
    'rel="me"',
    'href="/author/jo"',
]
_TAGS = ["a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "li", "section"]


def _byline_page(extra: str = "") -> str:
    elements = "\n".join(
        f"<{tag} {attribute}>Jo Grower {i}</{tag}>"
        for i, attribute in enumerate(_BYLINE_ATTRIBUTES)
        for tag in _TAGS
    )
    body = f"<body>{elements}<author>Al</author>{extra}</body>"
    return f"<html><head><title>t</title></head>{body}</html>"


@pytest.mark.parametrize(
    "page",
    [
        _byline_page(),
        _byline_page("<div><rel>me</rel>Jo Child</div>"),  # the ``rel='me'`` child test
        # lxml hands back the <div>, not the document's root
        '<div id="html"><p>Lone</p><span class="author">Jo Grower</span></div>',
        _byline_page() + '<html><body><span class="author">Second root</span></body></html>',
    ],
)
def test_byline_candidates_are_trafilaturas(page: str) -> None:
    tree = _load(page)
    expected = [xpath(tree) for xpath in AUTHOR_XPATHS]
    assert [xpath(tree) for xpath in _AUTHOR_XPATHS] == expected
    assert _byline_candidates(tree) == expected
    assert any(expected)
