"""The page-type classifier: declarations first, then the URL's shape, then the markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml.html import fromstring  # type: ignore[import-untyped]

from core.extract.pagetype import (
    CLASS_COUNTS,
    LISTING_CARDS,
    Signals,
    class_counts,
    classify,
    classify_signals,
    read_signals,
)
from core.models import PageType

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def signals(**given: object) -> Signals:
    values: dict[str, object] = {
        "ld_types": frozenset(),
        "og_type": "",
        "host": "www.example.org",
        "path": "/2026/03/a-story",
        "post_blocks": 0,
        "code_blocks": 0,
        "cards": 0,
        "commerce": 0,
    }
    values.update(given)
    return Signals(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, PageType.ARTICLE),
        ({"ld_types": frozenset({"discussionforumposting"})}, PageType.FORUM),
        ({"ld_types": frozenset({"qapage", "question"})}, PageType.FORUM),
        ({"ld_types": frozenset({"product", "offer"})}, PageType.PRODUCT),
        ({"og_type": "product"}, PageType.PRODUCT),
        ({"og_type": "product.group"}, PageType.COLLECTION),
        ({"ld_types": frozenset({"collectionpage"})}, PageType.COLLECTION),
        ({"ld_types": frozenset({"techarticle"})}, PageType.DOCUMENTATION),
        ({"path": "/threads/starter-smells.4411/"}, PageType.FORUM),
        ({"path": "/t/broken-update/931828"}, PageType.FORUM),
        ({"path": "/products/wool-runner"}, PageType.PRODUCT),
        ({"path": "/collections/socks"}, PageType.COLLECTION),
        ({"path": "/c/furniture/-/N-5xtnr"}, PageType.COLLECTION),
        ({"path": "/story/3/c"}, PageType.ARTICLE),  # a one-letter last segment is no shape
        ({"host": "docs.example.org", "path": "/en/stable/quickstart/"}, PageType.DOCUMENTATION),
        ({"path": "/docs/guides/auth", "code_blocks": 3}, PageType.DOCUMENTATION),
        ({"path": "/news"}, PageType.LISTING),
        ({"path": "/"}, PageType.LISTING),
        ({"cards": LISTING_CARDS}, PageType.LISTING),
        ({"path": "/services/boiler-repair/"}, PageType.SERVICE),
        ({"path": "/account/login", "og_type": "article"}, PageType.OTHER),
        ({"path": "/cart"}, PageType.OTHER),
    ],
)
def test_each_signal_points_to_its_type(given: dict[str, object], expected: PageType) -> None:
    assert classify_signals(signals(**given)) is expected


def test_an_article_declaration_outweighs_the_url_and_product_markup() -> None:
    # a buying guide: article JSON-LD, an ItemList of products, cards, a /products/ path
    guide = signals(
        ld_types=frozenset({"newsarticle", "product", "itemlist"}),
        path="/products/best-running-shoes",
        cards=40,
    )
    assert classify_signals(guide) is PageType.ARTICLE


def test_a_docs_path_without_code_is_not_documentation() -> None:
    assert classify_signals(signals(path="/guide/choosing-a-tent")) is PageType.ARTICLE


def test_a_product_declared_on_a_category_path_is_a_collection() -> None:
    assert classify_signals(signals(og_type="product", path="/c/furniture")) is PageType.COLLECTION


def test_a_listing_of_cards_declared_an_article_stays_an_article() -> None:
    assert classify_signals(signals(og_type="article", cards=LISTING_CARDS * 3)) is PageType.ARTICLE


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("forum-thread", "https://bakers.example/threads/starter.4411/", PageType.FORUM),
        ("product-page", "https://shop.example/socks/trailhead", PageType.PRODUCT),
        (
            "docs-page",
            "https://tidepool.readthedocs.io/en/latest/retries.html",
            PageType.DOCUMENTATION,
        ),
        ("listing-page", "https://rowing.example/news", PageType.LISTING),
        ("service-page", "https://heating.example/services/boiler-servicing/", PageType.SERVICE),
        # a newsletter post: og:type article outweighs a /p/ path that shops use for products
        ("newsletter-post", "https://plotletter.example/p/why-we-stopped-peat", PageType.ARTICLE),
        # a thread addressed by its number in the query
        ("forum-thread", "https://bakers.example/community/index.php?topic=4411.0", PageType.FORUM),
    ],
)
def test_fixture_pages_are_classified(name: str, url: str, expected: PageType) -> None:
    tree = fromstring((FIXTURES / f"{name}.html").read_bytes())
    assert classify(tree, url) is expected


def test_malformed_json_ld_is_read_as_far_as_it_goes() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@type": "Product", "name": '
        "</script></head><body><p>x</p></body></html>"
    )
    assert classify(fromstring(page), "https://shop.example/item-9") is PageType.PRODUCT


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/product-category/rain-gear/", PageType.COLLECTION),
        ("/sub-categories/cables", PageType.COLLECTION),
        ("/jobs", PageType.LISTING),
        ("/newest", PageType.LISTING),
        ("/trending", PageType.LISTING),
        ("/jobs/rigger-at-quayside", PageType.ARTICLE),
    ],
)
def test_listing_and_collection_paths(path: str, expected: PageType) -> None:
    assert classify_signals(signals(path=path)) is expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # a thread's comments page
        ({"path": "/r/baking/comments/1x9k2q/starter_smells/"}, PageType.FORUM),
        ({"query": "topic=4411.0"}, PageType.FORUM),
        ({"query": "utm_topic=gardening"}, PageType.ARTICLE),
        # a topic's or a section's front page, a list of items
        ({"path": "/topic/car-rental"}, PageType.LISTING),
        ({"path": "/sections/science/"}, PageType.LISTING),
        ({"path": "/list/cs.ai/recent"}, PageType.LISTING),
        ({"path": "/topic/car-rental/why-prices-rose"}, PageType.ARTICLE),
        # a site's services page as a file
        ({"path": "/us/en/services.html"}, PageType.SERVICE),
        # an about page tells a story: the article profile keeps all of it
        ({"path": "/about-us/what-legal-aid-is/"}, PageType.ARTICLE),
        ({"path": "/about"}, PageType.ARTICLE),
        # a dated story on a developer-named host is not documentation
        (
            {"host": "developers.example.org", "path": "/story/25/12/19/2362/a-new-course"},
            PageType.ARTICLE,
        ),
        ({"host": "developers.example.org", "path": "/guides/auth"}, PageType.DOCUMENTATION),
        # og:type article outweighs a product-like path, not a product declaration
        ({"og_type": "article", "path": "/p/why-we-stopped-peat"}, PageType.ARTICLE),
        ({"path": "/p/why-we-stopped-peat"}, PageType.PRODUCT),
        (
            {"og_type": "article", "ld_types": frozenset({"product"}), "path": "/p/kettle"},
            PageType.PRODUCT,
        ),
    ],
)
def test_url_shapes_that_route_pages(given: dict[str, object], expected: PageType) -> None:
    assert classify_signals(signals(**given)) is expected


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*.html")), ids=lambda path: path.stem)
def test_the_class_counts_read_on_demand_are_the_pages_counts(page: Path) -> None:
    tree = fromstring(page.read_bytes())
    eager = class_counts(tree)
    url = "https://www.example.org/"
    # the counts read when a rule asks are the page's, each field as read at once
    assert {name: getattr(read_signals(tree, url), name) for name in CLASS_COUNTS} == eager


def test_a_page_typed_before_any_count_is_asked_skips_the_containers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle"}</script>'
        b'</head><body><div class="post"><p>one</p><p>two</p></div></body></html>'
    )
    read: list[object] = []
    counts = class_counts
    monkeypatch.setattr(
        "core.extract.pagetype.class_counts", lambda tree: read.append(tree) or counts(tree)
    )
    assert classify(fromstring(page), "https://www.example.org/2026/03/story") is PageType.ARTICLE
    assert not read
    # a page whose type depends on them (a forum's host: are there posts?) reads them, once
    undeclared = fromstring(page.replace(b"NewsArticle", b"WebPage"))
    assert classify(undeclared, "https://forum.example.org/some-thread") is PageType.ARTICLE
    assert read == [undeclared]


def _shop_page(h1: str) -> str:
    return (
        '<html><head><script type="application/ld+json">'
        '[{"@type": "Product", "name": "Iris Linen Dress", "offers": {"price": "99"}},'
        ' {"@type": "Product", "name": "Aspen Hemp Trousers"}]'
        f"</script></head><body><h1>{h1}</h1><p>Made of linen.</p></body></html>"
    )


def test_a_product_page_on_a_category_path_is_a_product() -> None:
    # a shop's product page under /shop/<category>/<slug>/: its title is the declared product
    page = fromstring(_shop_page("Iris  Linen DRESS"))
    assert classify(page, "https://shop.example/shop/dresses/iris-linen-dress/") is PageType.PRODUCT


def test_a_category_whose_cards_declare_products_stays_a_collection() -> None:
    page = fromstring(_shop_page("Dresses"))
    assert classify(page, "https://shop.example/shop/dresses/") is PageType.COLLECTION
