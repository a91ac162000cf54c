"""Extraction options on pages written for these tests (``tests/fixtures/linked``): links and
images with absolute http(s) URLs, tables, comments, precision, target language; the default
options extract exactly as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ExtractionFailed
from core.extract.assemble import assemble
from core.extract.chosen import extractor
from core.extract.links import MAX_LINKS, MAX_TEXT_CHARS, MAX_URL_CHARS
from core.extract.rendering import render
from core.extraction_options import ExtractionOptions
from core.models import Article
from core.ports import PageInput

LINKED = Path(__file__).resolve().parents[2] / "fixtures" / "linked"
GARDEN = "community-garden-en.html"
URL = "https://town.example/news/2024/community-garden.html"
LINKS_AND_IMAGES = ExtractionOptions(include_links=True, include_images=True)


def extracted(name: str, options: ExtractionOptions | None = None, url: str = URL) -> Article:
    body = (LINKED / name).read_bytes()
    article = assemble(PageInput(body=body, url=url, article_id="t" * 32, options=options))
    assert article is not None
    return article


def test_the_default_options_list_no_links_or_images_and_store_the_defaults() -> None:
    article = extracted(GARDEN)
    assert (article.links, article.images) == ([], [])
    assert article.options == ExtractionOptions()
    assert "earlier report on the plans" in article.text  # the link's text stays in the text


def test_links_are_the_main_contents_resolved_against_the_page_and_only_http() -> None:
    article = extracted(GARDEN, LINKS_AND_IMAGES)
    assert [(link.url, link.text) for link in article.links] == [
        ("https://town.example/news/2024/garden-plans.html", "earlier report on the plans"),
        ("https://town.example/organisations/allotment-society", "allotment society"),
        ("https://council.example.org/agreements/mill-street-garden", "council's website"),
        ("https://town.example/markets/friday-market", "the Friday market"),
    ]  # no menu or footer link, no mailto: or javascript: link
    assert [(image.url, image.alt) for image in article.images] == [
        (
            "https://town.example/news/2024/images/raised-beds.jpg",
            "Raised beds with young bean plants",
        ),
        ("https://town.example/images/harvest-day.jpg", "Harvest day at the garden"),
    ]  # the lazy image by its data-src; no data: image
    assert article.options == LINKS_AND_IMAGES


def test_with_links_and_images_the_text_stays_plain_and_the_same() -> None:
    assert extracted(GARDEN, LINKS_AND_IMAGES).text == extracted(GARDEN).text


def test_a_base_href_is_what_relative_links_resolve_against() -> None:
    article = extracted("base-href-en.html", LINKS_AND_IMAGES)
    assert [link.url for link in article.links] == [
        "https://archive.example.net/stories/2023/diaries/index.html",
        "https://archive.example.net/about/museum",
    ]
    assert [image.url for image in article.images] == [
        "https://archive.example.net/stories/2023/photos/keeper.jpg"
    ]


def test_only_what_was_asked_for_is_listed() -> None:
    links_only = extracted(GARDEN, ExtractionOptions(include_links=True))
    images_only = extracted(GARDEN, ExtractionOptions(include_images=True))
    assert links_only.links
    assert not links_only.images
    assert images_only.images
    assert not images_only.links


def test_the_lists_are_bounded() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    anchors = " ".join(f'<a href="/page/{i}">{"long text " * 40}{i}</a>' for i in range(300))
    too_long = "https://town.example/" + "x" * MAX_URL_CHARS
    body = (
        f'<html><body><article><h1>Many links</h1><p>{words} <a href="{too_long}">too long</a>'
        f" {anchors} {words}</p></article></body></html>"
    ).encode()
    page = PageInput(body=body, url=URL, article_id="t" * 32, options=LINKS_AND_IMAGES)
    article = assemble(page)
    assert article is not None
    assert len(article.links) == MAX_LINKS
    assert article.links[0].url == "https://town.example/page/0"  # the too long one left out
    assert all(len(link.text) <= MAX_TEXT_CHARS for link in article.links)
    assert all(len(link.url) <= MAX_URL_CHARS for link in article.links)


def test_the_lists_stop_at_their_json_budget() -> None:
    from lxml import etree

    from core.extract.links import MAX_LISTS_JSON_BYTES, collect

    body = etree.Element("body")
    for i in range(MAX_LINKS):
        ref = etree.SubElement(body, "ref", target=f"https://town.example/{i}/" + "é" * 900)
        ref.text = "ü" * MAX_TEXT_CHARS
    links, _ = collect(body)
    spent = sum(len(json.dumps(link.url)) + len(json.dumps(link.text)) for link in links)
    assert 0 < len(links) < MAX_LINKS
    assert spent <= MAX_LISTS_JSON_BYTES


def test_tables_are_kept_by_default_and_left_out_on_request() -> None:
    assert "Runner beans" in extracted(GARDEN).text
    without = extracted(GARDEN, ExtractionOptions(include_tables=False)).text
    assert "Runner beans" not in without
    assert "raised beds" in without


def test_comments_are_left_out_by_default_and_kept_on_request() -> None:
    comment = "my children love the strawberries already"
    assert comment not in extracted(GARDEN).text
    assert comment in extracted(GARDEN, ExtractionOptions(include_comments=True)).text


@pytest.mark.parametrize(
    ("favor", "focus"), [("precision", "precision"), ("recall", "recall"), ("balanced", "balanced")]
)
def test_favor_is_trafilaturas_focus(favor: str, focus: str) -> None:
    assert extractor(ExtractionOptions.model_validate({"favor": favor})).focus == focus


def test_a_page_in_another_language_fails_with_language_mismatch() -> None:
    assert extracted(GARDEN, ExtractionOptions(target_language="en")).language == "en"
    with pytest.raises(ExtractionFailed) as refused:
        extracted(GARDEN, ExtractionOptions(target_language="fr"))
    assert refused.value.code == "language_mismatch"
    assert "en" in refused.value.message
    assert "fr" in refused.value.message


def test_markdown_and_html_renderings_keep_absolute_http_links_and_images() -> None:
    html = (LINKED / GARDEN).read_text("utf-8")
    markdown = render(html, URL, "markdown")
    assert markdown is not None
    assert "[allotment society](https://town.example/organisations/allotment-society)" in markdown
    assert "![Harvest day at the garden](https://town.example/images/harvest-day.jpg)" in markdown
    rendered = render(html, URL, "html")
    assert rendered is not None
    assert '<a href="https://town.example/news/2024/garden-plans.html">' in rendered
    assert '<img src="https://town.example/news/2024/images/raised-beds.jpg"' in rendered
    for output in (markdown, rendered):
        assert "javascript:" not in output
        assert "data:" not in output
        assert "mailto:" not in output
        assert "sign-up form" in output  # the text of a link that is not a web link stays
    text = render(html, URL, "txt")
    assert text is not None
    assert "](" not in text
    assert "allotment society" in text


def test_renderings_use_the_stored_options() -> None:
    html = (LINKED / GARDEN).read_text("utf-8")
    default = render(html, URL, "markdown")
    without_tables = render(html, URL, "markdown", ExtractionOptions(include_tables=False))
    assert default is not None
    assert without_tables is not None
    assert "Runner beans" in default
    assert "Runner beans" not in without_tables


def test_a_link_with_a_control_character_is_rendered_percent_encoded() -> None:
    """A share link whose query holds a cut character reference (``&#8...``, a backspace)
    made lxml refuse the resolved URL, and the page's markdown and HTML renderings failed."""
    paragraph = "The allotment society meets on the first Monday of every month in the hall. " * 3
    html = (
        f"<html><body><article><h1>Allotment news</h1><p>{paragraph}"
        '<a href="share?text=small&#8...plots">share this</a></p></article></body></html>'
    )
    markdown = render(html, URL, "markdown")
    assert markdown is not None
    assert "(https://town.example/news/2024/share?text=small%08...plots)" in markdown
