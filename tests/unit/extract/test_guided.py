"""Renderings guided by the Article's text: its page type's content, trafilatura's formatting."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]
from trafilatura.xml import xmltotxt

from core.extract.assemble import assemble
from core.extract.chosen import extractor
from core.extract.guided import MAX_CUES, Cues, guide_text, guided_body, page_cues
from core.extract.links import absolutize, plain
from core.extract.loading import load_html
from core.extract.rendering import render
from core.extract.text import main_content
from core.extraction_options import DEFAULT_OPTIONS
from core.formats import OutputFormat
from core.models import Article
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGES = sorted((FIXTURES / "pages").glob("*.html")) + sorted(
    (FIXTURES / "pagetypes").glob("*.html")
)
URL = "https://site.example/dir/page.html"


def _article(path: Path, url: str = URL) -> Article:
    article = assemble(PageInput(article_id="a", url=url, body=path.read_bytes()))
    assert article is not None
    return article


def _own_text(html: str, output_format: OutputFormat) -> str | None:
    """trafilatura's own plain text of the body it renders in ``output_format``."""
    options = DEFAULT_OPTIONS.model_copy(update={"include_links": True, "include_images": True})
    tree = load_html(html)
    absolutize(tree, URL)
    found = main_content(tree, URL, extractor(options, output_format, URL))
    return None if found is None else str(xmltotxt(plain(found[0]), False))


@pytest.mark.parametrize("output_format", ["markdown", "html"])
@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_trafilaturas_own_text_as_guide_gives_its_own_rendering(
    path: Path, output_format: OutputFormat
) -> None:
    html = path.read_bytes().decode("utf-8", "replace")
    guide = _own_text(html, output_format)
    if guide is None:
        pytest.skip("trafilatura finds no main content here")
    assert render(html, URL, output_format, guide=guide) == render(html, URL, output_format)


def test_a_forum_threads_markdown_holds_every_post_under_the_title() -> None:
    path = FIXTURES / "pagetypes" / "forum-thread.html"
    article = _article(path, "https://bakers.example/threads/starter.4411/")
    html = path.read_text()
    guided = render(html, article.url, "markdown", guide=guide_text(article.title, article.text))
    assert guided is not None
    assert guided.startswith("# Sourdough starter smells of acetone\n")
    for reply in ("yeast ran out of food", "discard all but a spoonful", "yoghurt and green"):
        assert reply in guided
        assert reply not in (render(html, article.url, "markdown") or "")  # trafilatura's


def test_a_products_html_holds_its_declared_specifications() -> None:
    path = FIXTURES / "pagetypes" / "product-page.html"
    article = _article(path, "https://shop.example/products/trailhead")
    guide = guide_text(article.title, article.text)
    guided = render(path.read_text(), article.url, "html", guide=guide)
    assert guided is not None
    assert "<p>Material: 62% merino wool, 35% nylon, 3% elastane</p>" in guided
    assert "<h1>Trailhead Merino Hiking Sock</h1>" in guided


def test_what_the_article_profile_cut_is_not_rendered() -> None:
    path = FIXTURES / "pagetypes" / "article-related.html"
    article = _article(path)
    html = path.read_text()
    guided = render(html, URL, "markdown", guide=guide_text(article.title, article.text))
    bare = render(html, URL, "markdown")
    assert guided is not None
    assert bare is not None
    cut = [line for line in bare.splitlines() if line and line not in guided]
    assert cut, "the profile cuts the related posts trafilatura keeps"
    assert all(line.lstrip("#* ") not in (article.text or "") for line in cut)
    assert guided.startswith("# How to Store Winter Squash Until Spring\n")


def _body(markup: str) -> list[etree._Element]:
    return list(etree.fromstring(f"<body>{markup}</body>"))


def test_a_line_no_block_holds_takes_the_pages_heading_and_link() -> None:
    cues = page_cues(
        load_html(
            '<html><body><h2>Opening hours</h2><a href="https://site.example/news/1">'
            "Spring regatta results</a><p>x</p></body></html>"
        )
    )
    body = guided_body(
        _body("<p>Kept as trafilatura formatted it, <hi rend='#b'>bold</hi>.</p>"),
        "Opening hours\nKept as trafilatura formatted it, bold.\nSpring regatta results\nNew",
        cues,
    )
    assert xmltotxt(body, True).strip().split("\n\n") == [
        "## Opening hours",
        "Kept as trafilatura formatted it, **bold**.",
        "[Spring regatta results](https://site.example/news/1)",
        "New",
    ]


def test_a_list_keeps_only_the_items_the_text_holds() -> None:
    body = guided_body(
        _body("<list><item>one</item><item>two</item><item>menu</item></list><p>gone</p>"),
        "- one\n- two",
        Cues(),
    )
    assert xmltotxt(body, True).strip() == "- one\n- two"


def test_an_image_goes_with_the_block_before_it() -> None:
    blocks = _body(
        '<p>first</p><graphic src="https://site.example/a.png" alt="a"/><p>second</p>'
        '<graphic src="https://site.example/b.png" alt="b"/>'
    )
    body = guided_body(blocks, "second", Cues())
    assert [element.get("src") for element in body.iter("graphic")] == [
        "https://site.example/b.png"
    ]


def test_the_title_is_not_repeated_when_the_text_starts_with_it() -> None:
    assert guide_text("Club news", "Club news\nSpring regatta") == "Club news\nSpring regatta"
    assert guide_text("Club news", "Spring regatta") == "Club news\nSpring regatta"
    assert guide_text("Club news", None) is None


def test_the_cues_read_a_bounded_number_of_elements() -> None:
    links = "".join(f'<a href="https://site.example/{n}">link {n}</a>' for n in range(MAX_CUES * 3))
    cues = page_cues(load_html(f"<html><body><p>{links}</p></body></html>"))
    assert len(cues.links) == MAX_CUES
