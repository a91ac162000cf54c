"""Per-type extraction profiles on small representative pages (made for these tests)."""

from __future__ import annotations

from pathlib import Path

import trafilatura

from core.extract.article import body_without_title
from core.extract.assemble import assemble
from core.extract.charset import decode_html
from core.extract.loading import load_html
from core.extract.profiles import Declared, declared_product, with_declared
from core.extract.text import main_text
from core.models import Article, PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def extracted(name: str, url: str) -> Article:
    article = assemble(
        PageInput(body=(FIXTURES / f"{name}.html").read_bytes(), url=url, article_id="a")
    )
    assert article is not None
    return article


def test_a_forum_thread_keeps_every_post() -> None:
    article = extracted("forum-thread", "https://bakers.example/threads/starter.4411/")
    assert article.page_type is PageType.FORUM
    assert article.text is not None
    for reply in (
        "yeast ran out of food",
        "discard all but a spoonful",
        "yoghurt and green apples",
    ):
        assert reply in article.text
    # trafilatura's article extraction drops the replies as comments
    bare = trafilatura.extract((FIXTURES / "forum-thread.html").read_text(), include_comments=False)
    assert "yeast ran out of food" not in (bare or "")


def test_a_product_page_takes_the_declared_description_and_specifications() -> None:
    article = extracted("product-page", "https://shop.example/products/trailhead")
    assert article.page_type is PageType.PRODUCT
    assert article.text is not None
    assert "softer cuff" in article.text  # the visible summary stays
    assert "ribbed arch band keeps the sock from bunching" in article.text
    assert "Material: 62% merino wool, 35% nylon, 3% elastane" in article.text
    assert "<p>" not in article.text


def test_declared_text_already_on_the_page_is_not_repeated() -> None:
    declared = Declared("A cushioned sock for long days.", ("Care: Machine wash cold",))
    text = "A cushioned sock for long days.\nCare: Machine wash cold"
    assert with_declared(text, declared) == text


def test_product_json_ld_nested_in_a_graph_is_found() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
        ' {"@type": ["Product"], "description": "Hand-thrown stoneware mug, 350 ml."}]}'
        "</script></head><body><p>Mug</p></body></html>"
    )
    tree = load_html(page)
    assert declared_product(tree).description == "Hand-thrown stoneware mug, 350 ml."


def test_documentation_keeps_the_code_and_drops_the_sidebar() -> None:
    article = extracted("docs-page", "https://tidepool.readthedocs.io/en/latest/retries.html")
    assert article.page_type is PageType.DOCUMENTATION
    assert article.text is not None
    assert "client = tidepool.Client(retries=5, max_wait=30.0)" in article.text
    assert "idempotency_key=order_id" in article.text
    assert "Installation" not in article.text
    assert "Quickstart" not in article.text


def test_a_service_page_keeps_every_section() -> None:
    article = extracted("service-page", "https://heating.example/services/boiler-servicing/")
    assert article.page_type is PageType.SERVICE
    assert article.text is not None
    for section in ("What a service includes", "How long it takes", "£89 for a combi boiler"):
        assert section in article.text
    assert "Home" not in article.text.split("\n")


def test_a_listing_keeps_its_cards_and_drops_the_menu() -> None:
    article = extracted("listing-page", "https://rowing.example/news")
    assert article.page_type is PageType.LISTING
    assert article.text is not None
    for card in ("Spring regatta results", "New boathouse doors fitted", "sixteen people"):
        assert card in article.text
    assert "Join" not in article.text.split("\n")


def test_an_article_page_is_extracted_exactly_as_before_page_types() -> None:
    body = (FIXTURES.parent / "pages" / "harbour-solar-ferry-en.html").read_bytes()
    url = "https://news.example/2026/harbour-solar-ferry"
    article = assemble(PageInput(body=body, url=url, article_id="a"))
    assert article is not None
    assert article.page_type is PageType.ARTICLE
    decoded = decode_html(body, None)
    before = main_text(load_html(decoded.text, decoded.utf8), url)
    assert before is not None
    assert article.text == body_without_title(before.strip(), article.title)


def test_a_page_that_is_not_an_article_keeps_its_heading_in_the_text() -> None:
    article = extracted("service-page", "https://heating.example/services/boiler-servicing/")
    assert article.title == "Annual boiler servicing"
    assert article.text is not None
    assert article.text.startswith("Annual boiler servicing\n")
