"""The service and documentation profiles (``core.extract.profile_sections``) on small pages made
for these tests: every section stays, navigation, footers, banners and pagers do not."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import fromstring  # type: ignore[import-untyped]

from core.extract import profile_sections
from core.extract.assemble import assemble
from core.extract.profile_sections import more_complete, section_lines, sections_or_main
from core.models import Article, PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def extracted(name: str, url: str) -> Article:
    body = (FIXTURES / f"{name}.html").read_bytes()
    article = assemble(PageInput(body=body, url=url, article_id="a"))
    assert article is not None
    return article


def page(body: str) -> etree._Element:
    return fromstring(f"<html><head><title>t</title></head><body>{body}</body></html>")


def test_a_service_home_page_keeps_every_section() -> None:
    article = extracted("service-home", "https://ledgerly.example/")
    assert article.page_type is PageType.SERVICE
    text = article.text or ""
    for kept in (
        "Bookkeeping that closes itself",  # the hero
        "posts it to the right account before you open the laptop",
        "Receipts from your inbox",  # the feature cards (each one a link)
        "read and comment rights",
        "Starter | $19 | 2 bank accounts",  # a pricing row, one line
        "chasing receipts",  # the testimonial
        "Can I import last year's books?",  # the FAQ, questions and answers
        "encrypted at rest",
    ):
        assert kept in text
    for left_out in ("We use cookies", "Accept all", "Customers", "Log in", "4 Quay Street"):
        assert left_out not in text
    # trafilatura alone keeps the one <article> (the testimonial) and the table
    bare = trafilatura.extract((FIXTURES / "service-home.html").read_text()) or ""
    assert "chasing receipts" in bare
    assert "Bookkeeping that closes itself" not in bare
    assert "Receipts from your inbox" not in bare


def test_a_service_page_keeps_its_sections_in_order() -> None:
    article = extracted("service-page", "https://heating.example/services/boiler-servicing/")
    assert article.page_type is PageType.SERVICE
    text = article.text or ""
    headings = ["Annual boiler servicing", "What a service includes", "How long it takes", "Prices"]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    assert "Northgate Heating Ltd" not in text
    assert "Contact" not in text


def test_documentation_keeps_code_and_headings_and_drops_sidebar_edit_link_and_pager() -> None:
    article = extracted("docs-guide", "https://quarrydb.example/docs/batch-writes")
    assert article.page_type is PageType.DOCUMENTATION
    text = article.text or ""
    code = (
        "with db.batch() as batch:\n"
        '    batch.put("users/1", {"name": "Ada"})\n'
        '    batch.delete("users/2")'
    )
    assert code in text  # the code block keeps its lines and indentation
    for kept in ("Writing a batch", "Limits", "max_writes | 500", "refused before anything"):
        assert kept in text
    for left_out in ("Install", "Queries", "Edit this page", "Previous", "Next: ", "authors"):
        assert left_out not in text


def test_a_boilerplate_named_wrapper_that_holds_the_page_is_content() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    tree = page(
        f'<div class="site-menu-wrapper"><h2>Our studio</h2><p>{words}</p></div>'
        '<div class="menu"><a href="/">Home</a> <a href="/about">About us</a></div>'
    )
    lines = section_lines(tree)
    assert lines == ["Our studio", words]


def test_a_page_wide_form_is_content_and_a_small_form_is_not() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    wrapped = page(f'<form id="form1"><div><h2>Heat pumps</h2><p>{words}</p></div></form>')
    assert section_lines(wrapped) == ["Heat pumps", words]
    small = page(f'<p>{words}</p><form><p>Subscribe to our letter</p><input name="e"></form>')
    assert section_lines(small) == [words]


def test_hidden_elements_and_banners_are_left_out_and_repeats_kept_once() -> None:
    tree = page(
        "<main><h1>Window cleaning</h1><p>Every pane, inside and out.</p>"
        '<div hidden><p>Hidden copy</p></div><p aria-hidden="true">Screen-reader duplicate</p>'
        '<div style="display: none">Mobile copy</div>'
        '<div role="navigation"><a href="/x">Other services</a></div>'
        '<div id="cookie-consent">This site uses cookies</div>'
        "<p>Every pane, inside and out.</p></main>"
    )
    assert section_lines(tree) == ["Window cleaning", "Every pane, inside and out."]


def test_consent_managers_banners_are_left_out_whatever_their_class_spelling() -> None:
    tree = page(
        "<h1>Tax returns, filed for you</h1><p>Send us your receipts; we do the rest.</p>"
        "<p>Flat fee per return, agreed before we start.</p>"
        '<div id="CybotCookiebotDialog"><p>We use cookies to personalise content.</p>'
        "<p>Necessary cookies help make a website usable.</p></div>"
        '<div class="cookieBanner">Accept all</div>'
        '<section class="onetrust-pc-sdk"><h2>Privacy preference centre</h2></section>'
    )
    assert section_lines(tree) == [
        "Tax returns, filed for you",
        "Send us your receipts; we do the rest.",
        "Flat fee per return, agreed before we start.",
    ]


def test_main_is_the_region_only_when_it_holds_the_page() -> None:
    words = " ".join(f"word{i}" for i in range(80))
    tree = page(f"<main><p>Search the site</p></main><div><h2>Roof repair</h2><p>{words}</p></div>")
    assert section_lines(tree) == ["Search the site", "Roof repair", words]
    only = page(f'<div class="banner">Spring offer</div><main><p>{words}</p></main>')
    assert section_lines(only) == [words]


def test_less_complete_sections_leave_trafilatura_text() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    assert more_complete(f"Hero line\n{text}\nA feature", text)
    assert not more_complete("Hero line\nalpha beta", text)  # too few of its words
    assert not more_complete("alpha beta gamma delta", text)  # fewer words
    assert not more_complete("", None)


def test_trafilatura_text_stands_when_the_sections_miss_the_content() -> None:
    # the body text sits in an element named like a sidebar that holds under half the page,
    # beside a long list of links the walk keeps: the sections cover too little of the text
    words = " ".join(f"word{i}" for i in range(120))
    links = " ".join(f'<li><a href="/l{i}">link{i} text here</a></li>' for i in range(60))
    tree = page(
        f'<div class="content-sidebar-layout"><article><p>{words}</p></article></div>'
        f"<div><ul>{links}</ul></div>"
    )
    text = sections_or_main(tree, "https://example.org/services/x")
    assert text is not None
    assert "word0" in text
    assert "link1 text" not in text


def nested(depth: int) -> etree._Element:
    """``depth`` nested ``<div class="nav-wrap">`` around one paragraph."""
    body = fromstring("<html><body></body></html>").find("body")
    node = body
    for _ in range(depth):
        node = etree.SubElement(node, "div", {"class": "nav-wrap"})
    etree.SubElement(node, "p").text = "Deep text"
    return body.getroottree().getroot()


def test_deep_nesting_is_walked_without_recursion_and_measured_within_budget() -> None:
    # each wrapper is named like navigation but holds all the text: it is measured and kept
    assert section_lines(nested(profile_sections.MAX_MEASURES)) == ["Deep text"]
    # past the budget of measures a named wrapper is dropped unmeasured (no quadratic work)
    assert section_lines(nested(5_000)) == []


def test_the_text_starts_at_the_page_headline() -> None:
    tree = page(
        '<div class="topbar"><a href="/">Home</a> <a href="/plans">Plans</a></div>'
        '<div class="announce">Free delivery this week</div>'
        "<div><h1>Garden design</h1><p>Plans drawn to scale, planted by us.</p></div>"
    )
    assert section_lines(tree) == ["Garden design", "Plans drawn to scale, planted by us."]
    no_headline = page("<div>Free delivery this week</div><p>Plans drawn to scale.</p>")
    assert section_lines(no_headline) == ["Free delivery this week", "Plans drawn to scale."]


def test_a_comment_section_is_left_out() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    tree = page(
        f"<main><h1>Setting up replication</h1><p>{words}</p>"
        '<div id="comments"><div class="comment"><p>by reader42</p><p>Great post!</p></div>'
        "</div></main>"
    )
    assert section_lines(tree, documentation=True) == ["Setting up replication", words]


def test_trafilatura_text_in_the_navigation_gives_way_to_the_sections(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # trafilatura settled on the long menu: the sections (fewer words, few of the menu's) win
    menu = "".join(
        f'<li><a href="/s{i}">Service number {i} for your business</a></li>' for i in range(30)
    )
    tree = page(
        f"<nav><ul>{menu}</ul></nav><h1>Boiler repair</h1><p>We fix boilers the same day.</p>"
        f"<h2>Prices</h2><p>{'A visit costs sixty pounds, parts extra. ' * 30}</p>"
    )
    chrome = "\n".join(f"Service number {i} for your business" for i in range(30))
    monkeypatch.setattr(profile_sections, "main_text", lambda tree, url: chrome)
    text = sections_or_main(tree, "https://heating.example/services/")
    assert text is not None
    assert "We fix boilers the same day." in text
    assert "Service number 3" not in text


def test_trafilatura_text_in_pop_ups_is_chrome_and_content_is_not() -> None:
    offer = "Book a free consultation with our career coach this week"
    writers = "Our writers craft resumes."
    tree = page(
        f"<main><h1>Resume writing</h1><p>{writers * 20}</p></main>"
        f'<div class="elementor-location-popup"><p>{offer}</p></div>'
        '<div class="modality-grid"><p>Our partners and offices are listed here</p></div>'
    )
    sections = "\n".join(section_lines(tree))
    assert offer not in sections
    assert profile_sections.chrome_share(tree, offer, sections) == 1.0
    assert profile_sections.chrome_share(tree, f"{offer}\n{writers}", sections) > 0.5
    assert profile_sections.chrome_share(tree, writers, sections) == 0.0
    # "modality" holds the letters of "modal" but names no pop-up
    partners = "Our partners and offices are listed here"
    assert profile_sections.chrome_share(tree, partners, "") == 0.0


def test_a_wrapper_named_like_a_dialog_is_not_chrome() -> None:
    # Drupal wraps the whole page in ``dialog-off-canvas-main-canvas``: its text is content
    words = "Our clinic treats adults and children with care and patience every day."
    tree = page(f'<div class="dialog-off-canvas-main-canvas"><h1>Clinic</h1><p>{words}</p></div>')
    assert profile_sections.chrome_share(tree, words, "") == 0.0


def test_the_chrome_search_has_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text of many lines, each searched for in the whole of the sections, is quadratic: past
    ``MAX_SEARCHED_CHARS`` the question is left unanswered (0: trafilatura's text stands), and
    lines that are the sections' own lines cost no search."""
    offer = "Book a free consultation with our career coach this week"
    tree = page(
        f"<main><h1>Resume writing</h1><p>{'Our writers craft resumes. ' * 20}</p></main>"
        f'<div class="elementor-location-popup"><p>{offer}</p></div>'
    )
    sections = "\n".join(section_lines(tree))
    searched: list[int] = []

    class Counted(str):
        def __contains__(self, line: object) -> bool:
            searched.append(len(self))
            return super().__contains__(line)  # type: ignore[operator]

    monkeypatch.setattr(profile_sections, "MAX_SEARCHED_CHARS", 4 * len(sections))
    assert profile_sections.chrome_share(tree, offer, sections) == 1.0
    many = "\n".join([offer] * 10)
    assert profile_sections.chrome_share(tree, many, Counted(sections)) == 0.0
    assert sum(searched) <= 4 * len(sections)
    searched.clear()
    own = "\n".join([sections.split("\n")[0]] * 10)  # the sections' own line: no search
    assert profile_sections.chrome_share(tree, own, Counted(sections)) == 0.0
    assert searched == []


def test_a_dropdown_picker_is_left_out() -> None:
    picker = "".join(f'<li><a href="/s{i}">Audit service {i}</a></li>' for i in range(8))
    words = "We audit the books of small companies every spring and autumn. " * 4
    words = words.strip()
    tree = page(
        f'<section><h1>Audits</h1><div class="hero-select__dropdown"><ul>{picker}</ul></div>'
        f"<p>{words}</p></section>"
    )
    assert section_lines(tree) == ["Audits", words]
