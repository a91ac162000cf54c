"""The product profile on a small shop page made for these tests: the product's title, price,
description and specifications, without other products' carousels, reviews or repeats."""

from __future__ import annotations

from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from core.extract.assemble import assemble
from core.extract.profile_product import drop_other_sections
from core.models import PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def kettle_text() -> str:
    article = assemble(
        PageInput(
            body=(FIXTURES / "product-with-carousels.html").read_bytes(),
            url="https://hollowpine.example/products/ashgrove-kettle",
            article_id="a",
        )
    )
    assert article is not None
    assert article.page_type is PageType.PRODUCT
    assert article.text is not None
    return article.text


def test_a_product_keeps_its_title_price_description_and_specifications() -> None:
    text = kettle_text()
    for part in ("Ashgrove Enamel Camp Kettle, 1.5 L", "$42.00", "tapered spout", "780 g"):
        assert part in text
    assert "Enamelled carbon steel, beech handle" in text


def test_a_product_drops_other_products_and_the_reviews() -> None:
    text = kettle_text()
    for other in (
        "Customers also bought",
        "Folding Titanium Spork",
        "You may also like",
        "Wool Camp Blanket",
        "Customer reviews",
        "Survived a week in the Highlands",  # a review's own title, a lower heading
        "small gas canister stove",
    ):
        assert other not in text


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{''.join(blocks)}</body>")


def test_a_repeated_block_is_kept_once_and_short_repeats_stay() -> None:
    tree = body(
        "<p>Boils a litre and a half of water.</p>",
        "<p>In stock</p>",
        "<p>Boils a litre and a half   of water.</p>",
        "<p>In stock</p>",
    )
    drop_other_sections(tree)
    assert [p.text for p in tree] == ["Boils a litre and a half of water.", "In stock", "In stock"]


def test_a_section_ends_at_the_next_heading_of_its_level() -> None:
    tree = body(
        "<head rend='h2'>Related products</head>",
        "<list><item>Mug</item></list>",
        "<head rend='h3'>Mugs</head>",
        "<p>Set of four</p>",
        "<head rend='h2'>Care</head>",
        "<p>Dry the kettle after use.</p>",
    )
    drop_other_sections(tree)
    assert ["".join(block.itertext()) for block in tree] == ["Care", "Dry the kettle after use."]


def test_a_long_heading_using_those_words_is_content() -> None:
    heading = "Why our reviews of this kettle say it boils faster than any camp kettle we sold"
    tree = body(f"<head rend='h2'>{heading}</head>", "<p>It has a wide base.</p>")
    drop_other_sections(tree)
    assert len(tree) == 2


def test_the_pages_own_title_is_never_a_section_to_drop() -> None:
    tree = body(
        "<head rend='h1'>Recommended: ten kettles for the trail</head>",
        "<p>We boiled water in each of them for a month.</p>",
    )
    drop_other_sections(tree)
    assert len(tree) == 2
