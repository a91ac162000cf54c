"""The classifier's service and documentation rules: a site's home page that offers something is
a service page; a page of a site's ``/docs/`` section is documentation, code or none."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fromstring  # type: ignore[import-untyped]
from tests.unit.extract.test_pagetype import signals

from core.extract.pagetype import (
    DATED_ITEMS,
    LONG_PARAGRAPH,
    SECTION_HEADINGS,
    Signals,
    classify,
    classify_signals,
    read_signals,
)
from core.models import PageType

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def home(**given: object) -> Signals:
    """The signals of a site's home page (``test_pagetype.signals`` at ``/``)."""
    return signals(**{"og_type": "website", "path": "/", **given})


def test_a_home_page_with_calls_to_action_is_a_service() -> None:
    assert classify_signals(home(calls_to_action=3)) is PageType.SERVICE


def test_a_home_page_that_dates_its_items_stays_a_listing() -> None:
    dated = home(calls_to_action=3, dated_items=DATED_ITEMS)
    assert classify_signals(dated) is PageType.LISTING
    assert classify_signals(home()) is PageType.LISTING


def test_calls_to_action_decide_nothing_away_from_the_home_page() -> None:
    story = home(path="/2026/04/how-we-priced-our-plans", calls_to_action=5)
    assert classify_signals(story) is PageType.ARTICLE


def test_the_service_home_fixture_is_a_service_page() -> None:
    tree = fromstring((FIXTURES / "service-home.html").read_bytes())
    signals = read_signals(tree, "https://ledgerly.example/")
    assert signals.calls_to_action == 3  # "Pricing" in the menu, "Get started", "Book a demo"
    assert classify(tree, "https://ledgerly.example/") is PageType.SERVICE


def test_only_short_link_and_button_texts_count_as_calls_to_action() -> None:
    tree = fromstring(
        "<html><body>"
        '<a href="/s">Sign up</a> <button>Start for free</button> <span>Get started</span>'
        '<a href="/p">Read how three teams cut their bookkeeping time in half after they'
        " decided to sign up for automatic receipt matching</a>"
        "<time>2026-04-01</time><time>2026-04-02</time>"
        "</body></html>"
    )
    signals = read_signals(tree, "https://example.org/")
    assert (signals.calls_to_action, signals.dated_items) == (2, 2)
    elsewhere = read_signals(tree, "https://example.org/about-us/team")
    assert (elsewhere.calls_to_action, elsewhere.dated_items) == (0, 0)


def test_a_docs_section_page_without_code_is_documentation() -> None:
    concept = home(path="/bigquery/docs/introduction", og_type="website")
    assert classify_signals(concept) is PageType.DOCUMENTATION
    # a guide outside a docs section still needs code to be documentation
    assert classify_signals(home(path="/guides/choosing-a-tent")) is PageType.ARTICLE
    # an article declaration outweighs the path
    declared = home(path="/docs/changelog-2026", ld_types=frozenset({"article"}))
    assert classify_signals(declared) is PageType.ARTICLE


def test_an_undeclared_page_of_short_sections_is_a_service() -> None:
    # an insurer's product page at no service-like path: subheadings over short blurbs
    tree = fromstring((FIXTURES / "service-sections.html").read_bytes())
    assert classify(tree, "https://pawline.example/insurance/") is PageType.SERVICE


def _sections_page(paragraph: str, head: str = "") -> str:
    sections = "".join(f"<h2>Step {n}</h2><p>{paragraph}</p>" for n in range(SECTION_HEADINGS))
    return f"<html><head>{head}</head><body><h1>Guide</h1>{sections}</body></html>"


def test_sections_of_prose_stay_an_article() -> None:
    prose = "Long prose of a how-to article, one step after another. " * 5
    assert len(prose.strip()) >= LONG_PARAGRAPH
    assert classify(fromstring(_sections_page(prose)), "https://x.example/guide") is (
        PageType.ARTICLE
    )
    blurb = "A short blurb."
    assert classify(fromstring(_sections_page(blurb)), "https://x.example/guide") is (
        PageType.SERVICE
    )


def test_short_sections_declared_an_article_stay_an_article() -> None:
    declared = _sections_page("A short blurb.", '<meta property="og:type" content="article">')
    assert classify(fromstring(declared), "https://x.example/guide") is PageType.ARTICLE


def test_a_few_headings_are_no_stack_of_sections() -> None:
    page = (
        "<html><body><h1>Note</h1><h2>One</h2><p>Short.</p><h2>Two</h2><p>Short.</p></body></html>"
    )
    assert classify(fromstring(page), "https://x.example/note") is PageType.ARTICLE
