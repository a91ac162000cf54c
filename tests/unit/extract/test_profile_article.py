"""The article profile on small pages made for these tests: lists trafilatura's balanced pass
loses come back, menus stay out, a paragraph repeated word for word is kept once, the blocks
after the article (its author's bio, a newsletter form, related posts) are left out."""

from __future__ import annotations

from pathlib import Path

import trafilatura
from lxml import etree

from core.extract.assemble import assemble
from core.extract.loading import load_html
from core.extract.profile_article import (
    LOST_SHARE,
    MIN_REPEAT_WORDS,
    TEASER_MAX_WORDS,
    article_text,
    body_lists,
    lost_list_chars,
    without_closing,
    without_repeats,
)
from core.models import PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"
LISTS_PAGE = FIXTURES / "article-lists.html"
URL = "https://plants.example/care/repot-fiddle-leaf-fig"
STEPS = (
    "- A pot only five centimetres wider than the old one, with a drainage hole in the bottom",
    "- Tease apart the circling roots with your fingers and trim any that are brown and mushy",
)


def test_an_article_keeps_the_lists_trafilatura_drops() -> None:
    body = LISTS_PAGE.read_bytes()
    article = assemble(PageInput(body=body, url=URL, article_id="a"))
    assert article is not None
    assert article.page_type is PageType.ARTICLE
    for line in STEPS:
        assert line in article.text.split("\n")
    # the paragraphs around the lists stay, in order
    text = article.text
    assert text.index("Repot in late spring") < text.index(STEPS[0]) < text.index("Water the plant")
    # menus and footer links are not article text
    for menu in ("Care guides", "Shop our recommended pots", "Privacy policy"):
        assert menu not in text
    # bare trafilatura's balanced pass loses the lists on this page
    bare = trafilatura.extract(body, include_comments=False) or ""
    assert "drainage hole" not in bare
    assert "Repot in late spring" in bare


def test_lost_lists_are_counted_only_beside_extracted_paragraphs() -> None:
    tree = load_html(LISTS_PAGE.read_text("utf-8"))
    bare = trafilatura.extract(LISTS_PAGE.read_bytes(), include_comments=False) or ""
    lost = lost_list_chars(tree, bare)
    # the eight prose items beside the extracted paragraphs, not the menu or the footer
    assert lost > LOST_SHARE * len(bare)
    assert lost < 800
    # once the text holds them, nothing is lost
    assert lost_list_chars(load_html(LISTS_PAGE.read_text("utf-8")), bare + "\n" + _items()) == 0


def _items() -> str:
    tree = load_html(LISTS_PAGE.read_text("utf-8"))
    return "\n".join(" ".join(li.text_content().split()) for li in tree.iter("li"))


def test_a_text_without_lost_lists_is_the_balanced_text() -> None:
    paragraph = (
        "The harbour ferry ran on solar power for the whole summer season and carried more"
        " passengers than the diesel boat it replaced, according to the port authority. "
    )
    page = (
        "<html><body><article><h1>Solar ferry</h1>"
        + "".join(f"<p>{paragraph}Day {day}.</p>" for day in range(12))
        + "<ul><li><a href='/a'>Read more harbour news and the archive of older stories</a></li>"
        "</ul></article></body></html>"
    )
    text = article_text(load_html(page), "https://news.example/ferry")
    balanced = trafilatura.extract(page, include_comments=False)
    assert text == balanced
    assert text is not None
    assert "Read more harbour news" not in text


def test_a_paragraph_repeated_word_for_word_is_kept_once() -> None:
    long = "The council approved the new cycle lanes after a public consultation drew many replies."
    assert len(long.split()) >= MIN_REPEAT_WORDS
    text = f"{long}\nPros\n- Quiet\nCons\n- Pricey\n{long}\nPros\n- Light"
    assert without_repeats(text) == f"{long}\nPros\n- Quiet\nCons\n- Pricey\nPros\n- Light"


def _article(name: str) -> str:
    body = (FIXTURES / name).read_bytes()
    article = assemble(PageInput(body=body, url="https://travel.example/a", article_id="a"))
    assert article is not None
    assert article.page_type is PageType.ARTICLE
    return article.text


def test_the_author_bio_and_the_newsletter_form_after_an_article_are_left_out() -> None:
    body = (FIXTURES / "article-closing.html").read_bytes()
    text = _article("article-closing.html")
    assert text.endswith("bring earplugs if you are a light sleeper.")
    assert "The economics changed" in text  # the article's own headings stay
    # bare trafilatura keeps the blocks after the article on this page
    bare = trafilatura.extract(body, include_comments=False) or ""
    for block in (
        "About the author",
        "Lena Hartmann has written about rail travel",
        "Sign up for our newsletter",
        "Thank you! Your submission has been received!",
    ):
        assert block in bare
        assert block not in text


def test_related_posts_after_an_article_are_left_out() -> None:
    body = (FIXTURES / "article-related.html").read_bytes()
    text = _article("article-related.html")
    assert text.endswith("save the thicker-skinned kinds for the end of winter.")
    bare = trafilatura.extract(body, include_comments=False) or ""
    assert "When to sow squash indoors" in bare
    assert "When to sow squash indoors" not in text


def test_a_related_aside_with_prose_under_it_stays() -> None:
    prose = " ".join(["the ferry also stops at the island's north pier on Sundays"] * 4)
    assert len(prose.split()) >= TEASER_MAX_WORDS
    body = "\n".join(f"Paragraph {n} of the article about the harbour." for n in range(20))
    text = f"{body}\nRelated:\n{prose}\nTags\nFerries\nHarbours"
    # the prose under "Related:" is the article's; the tag list after it is not
    assert without_closing(text) == f"{body}\nRelated:\n{prose}"


def test_a_closing_heading_that_would_take_most_of_the_text_cuts_nothing() -> None:
    text = "Short intro.\nComments\n" + "\n".join(
        f"A long line of the article, number {n}, which is not a comment." for n in range(5)
    )
    assert without_closing(text) == text
    # the lines widgets print at the end are dropped all the same
    widgets = "\nBack to top\nCopyright © 2026 Harbour News. All rights reserved.\nBook a demo"
    assert without_closing(text + widgets) == text


def test_body_lists_are_the_lists_beside_a_paragraph_in_document_order() -> None:
    """``body_lists`` finds what the XPath ``//ul[../p]|//ol[../p]`` finds, from any element
    of the page (lxml may hand back the body's only child)."""
    tree = load_html(
        "<html><body><nav><ul><li>Home</li></ul></nav>"
        "<div><p>Intro</p><ol><li>one</li></ol><ul><li>two</li></ul></div>"
        "<section><ul><li>no paragraph here</li></ul><div><p>x</p></div></section>"
        "<article><ul><li><p>holds one</p><ul><li>nested</li></ul></li></ul><p>after</p>"
        "</article></body></html>"
    )
    assert tree is not None
    xpath = etree.XPath("//ul[../p]|//ol[../p]")
    found = body_lists(tree)
    assert [element.xpath("string(li)") for element in found] == [
        "one",
        "two",
        "holds onenested",
        "nested",
    ]
    assert found == xpath(tree)
    assert body_lists(tree.find("body/div")) == found
