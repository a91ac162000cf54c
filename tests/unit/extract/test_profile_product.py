"""The product profile on small shop pages made for these tests: the product's title, price,
description and specifications, without other products' carousels, reviews, repeats or the
page's pop-ups."""

from __future__ import annotations

from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement, fromstring  # type: ignore[import-untyped]

from core.extract.assemble import assemble
from core.extract.profile_product import (
    dialog_texts,
    drop_dialog_runs,
    drop_dialogs,
    drop_notices,
    drop_other_sections,
    hidden_panels,
    product_text,
    title_line,
    with_title,
)
from core.models import PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def product_page_text(fixture: str, url: str) -> str:
    """The text of a product page made for these tests, as the pipeline extracts it."""
    article = assemble(PageInput(body=(FIXTURES / fixture).read_bytes(), url=url, article_id="a"))
    assert article is not None
    assert article.page_type is PageType.PRODUCT
    assert article.text is not None
    return article.text


def kettle_text() -> str:
    return product_page_text(
        "product-with-carousels.html", "https://hollowpine.example/products/ashgrove-kettle"
    )


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


def blanket_text() -> str:
    return product_page_text(
        "product-with-dialogs.html",
        "https://tallowandtweed.example/products/larchmont-field-blanket",
    )


def test_a_product_leaves_out_its_pop_ups_and_keeps_its_description() -> None:
    text = blanket_text()
    assert "Join the Tallow & Tweed letter" not in text  # a role="dialog" sign-up pop-up
    assert "once a month about wool" not in text
    assert "We use cookies" not in text
    for part in ("undyed British wool on a narrow loom", "£145.00", "150 x 200 cm", "1.9 kg"):
        assert part in text


def test_a_product_name_trafilatura_dropped_goes_first_without_its_styles() -> None:
    first, _, _ = blanket_text().partition("\n")
    assert first == "Larchmont Wool Field Blanket"


def page(html: str) -> HtmlElement:
    return fromstring(f"<html><body>{html}</body></html>")


def test_dialogs_are_found_by_role_and_by_cookie_or_consent_names() -> None:
    tree = page(
        "<main><p>A heavy wool blanket woven in the Borders, washed and brushed soft.</p>"
        "<div class='cookieMessage'><p>We use cookies to remember your basket and to measure"
        " visits.</p></div>"
        "<section id='gdpr-banner--slideup'><p>Your choices about personal data and"
        " partners.</p></section>"
        "<div role='dialog'><div><p>Sign up for ten percent off your first order.</p></div></div>"
        "<div class='size-table'><p>Size guide for every blanket we sell here.</p></div></main>"
    )
    texts = dialog_texts(tree)
    assert "we use cookies to remember your basket and to measure visits." in texts
    assert "your choices about personal data and partners." in texts
    assert "sign up for ten percent off your first order." in texts
    assert not any("blanket" in text for text in texts)


def test_a_dialog_holding_most_of_the_page_is_the_page() -> None:
    tree = page(
        "<div class='consent-wrapper'><h1>Larchmont Wool Field Blanket</h1>"
        "<p>A heavy wool blanket woven in the Borders, washed and brushed soft for sleeping.</p>"
        "</div><p>Accept cookies</p>"
    )
    assert dialog_texts(tree) == frozenset()


def test_only_dialog_blocks_of_five_words_or_more_leave_the_text() -> None:
    dialogs = dialog_texts(
        page(
            "<div role='dialog'><p>Sign up for ten percent off.</p><p>Size: large</p>"
            "<ul><li>Free delivery on every order over fifty pounds</li></ul></div>"
            + "<p>Filler text of the page that is not a dialog at all.</p>"
            * 3
        )
    )
    tree = body(
        "<p>Sign up for ten percent off.</p>",
        "<p>Size: large</p>",
        "<list><item>Free delivery on every order over fifty pounds</item></list>",
        "<list><item>Two wool layers</item><item>Free delivery on every order over fifty"
        " pounds</item></list>",
    )
    drop_dialogs(tree, dialogs)
    assert ["|".join(block.itertext()) for block in tree] == ["Size: large", "Two wool layers"]


def test_a_run_of_a_dialogs_short_lines_leaves_and_one_alone_stays() -> None:
    dialogs = dialog_texts(
        page(
            "<div role='alertdialog'><h2>Privacy settings</h2><p>Site functions</p>"
            "<p>Always on</p><p>Personal ads</p><button>Close</button></div>"
            + "<p>Filler text of the page that is not a dialog at all.</p>"
            * 3
        )
    )
    tree = body(
        "<p>Close</p>",
        "<p>Hand-thrown stoneware mug</p>",
        "<head rend='h2'>Privacy settings</head>",
        "<p>Site functions</p>",
        "<p>Always on</p>",
        "<p>Personal ads</p>",
        "<p>Dishwasher safe</p>",
    )
    drop_dialogs(tree, dialogs)
    assert ["".join(block.itertext()) for block in tree] == [
        "Close",
        "Hand-thrown stoneware mug",
        "Dishwasher safe",
    ]
    short_run = body("<p>Site functions</p>", "<p>Always on</p>", "<p>Personal ads</p>")
    drop_dialog_runs(short_run, dialogs)  # three in a row: may be the product's, they stay
    assert len(short_run) == 3


def test_the_product_name_is_the_first_h1_when_the_text_lacks_it() -> None:
    tree = page(
        "<h1> </h1><h1><script>var a = 1;</script>Larchmont <em>Field</em> Blanket</h1>"
        "<h1>Other</h1>"
    )
    assert title_line(tree) == "Larchmont Field Blanket"
    assert title_line(page(f"<h1>{'word ' * 60}</h1>")) == ""  # a block of text, not a name
    assert with_title("Field blanket, larchmont wool", "Larchmont Field Blanket") == (
        "Field blanket, larchmont wool"
    )
    assert with_title("A wool blanket", "Larchmont Field Blanket") == (
        "Larchmont Field Blanket\nA wool blanket"
    )


def test_a_page_of_nested_dialogs_is_read_within_its_budget() -> None:
    depth = 240  # libxml2's default nesting limit is 256
    html = "<div role='dialog'>" * depth + "<p>Accept our cookies today please.</p>"
    tree = page(html + "</div>" * depth + "<p>A heavy wool blanket.</p>" * 40)
    assert "accept our cookies today please." in dialog_texts(tree)


def daypack_text() -> str:
    return product_page_text(
        "product-with-reviews-widget.html", "https://cairnfield.example/products/fellside-28"
    )


def test_a_product_leaves_out_a_reviews_widget_without_a_heading() -> None:
    text = daypack_text()
    for review in (
        "4.6 out of 5 from 212 walkers",
        "Comfortable on a long wet day",
        "twenty miles of bog",
        "straps sit close to my neck",
    ):
        assert review not in text
    # the product's own description, in a container named for one (editorial) review, stays
    assert "28 litre daypack cut from recycled ripstop nylon" in text
    assert "ventilated foam on an aluminium stay" in text


def test_reviews_lists_and_footers_are_read_as_dialogs_by_their_names() -> None:
    tree = page(
        "<main><h1>Fellside 28 Daypack</h1>"
        "<div class='product-reviews'><p>Carried it over twenty miles of bog.</p></div>"
        "<section id='productReviewsList'><p>The straps sit close to my neck.</p></section>"
        "<div class='pageFooter'><p>Registered in Scotland under company number SC1.</p></div>"
        "<div class='site-footer__legal'><p>Free returns within sixty days of delivery.</p></div>"
        "<div class='review-tab'><p>A 28 litre daypack cut from recycled ripstop nylon.</p></div>"
        "<div class='image-previews'><p>Front, back and side views of the pack.</p></div>"
        "<div class='footerless'><p>Weight 940 g, back length 46 cm.</p></div>"
        + "<p>A daypack for long wet days on the hill, with a waxed canvas base.</p>" * 3
        + "</main>"
    )
    texts = dialog_texts(tree)
    assert "carried it over twenty miles of bog." in texts
    assert "the straps sit close to my neck." in texts
    assert "registered in scotland under company number sc1." in texts
    assert "free returns within sixty days of delivery." in texts
    # one review (singular: a product's review tab), previews, a word containing "footer": kept
    assert not any("daypack" in text or "views" in text or "940" in text for text in texts)


def test_a_reviews_widget_naming_each_of_its_parts_is_read_once() -> None:
    items = "".join(
        f"<div class='okReviews-item'><div class='okReviews-item-body'><p>Review number {n} of"
        " the daypack, written by a walker.</p></div></div>"
        for n in range(300)
    )
    tree = page(
        f"<div class='okReviews'>{items}</div>"
        + "<p>A daypack for long wet days on the hill, with a waxed canvas base.</p>" * 400
        + "<div class='cookie-notice'><p>We use cookies to remember your basket.</p></div>"
    )
    texts = dialog_texts(tree)
    assert "review number 299 of the daypack, written by a walker." in texts
    # more nested parts than MAX_DIALOGS came first, the cookie notice is still read
    assert "we use cookies to remember your basket." in texts


def test_cookie_and_browser_notices_leave_and_a_products_cookies_stay() -> None:
    long_block = "Our bakery bakes every batch by hand. " * 12 + "We use cookies from our oven."
    tree = body(
        "<p>We use cookies to improve your shopping and for marketing purposes.</p>",
        "<p>Manage Cookie Preferences</p>",
        "<list><item>Customize Your Cookie Settings</item></list>",
        "<p>Please update your browser to keep shopping safely.</p>",
        "<p>This browser does not support the HTML5 video element.</p>",
        "<list><item>Flavor: Cookies &amp; Cream</item><item>Kiln-fired cookie jar</item></list>",
        f"<p>{long_block}</p>",
    )
    drop_notices(tree)
    assert ["".join(block.itertext()) for block in tree] == [
        "Flavor: Cookies & CreamKiln-fired cookie jar",
        long_block,
    ]


NOTICE = (
    "We use cookies to improve your web browsing experience, enhance site security, and for "
    "marketing and promotional purposes. Cookies allow us to remember your preferences."
)


def test_a_notice_leaves_a_products_text() -> None:
    description = (
        "A hard case for two storm lanterns, lined with felt, with a brass latch and a strap "
        "that carries it on a shoulder or a saddle. Each lantern sits in its own moulded bay."
    )
    tree = page(
        "<div class='top'><h1>Ridgeback Lantern Case</h1></div>"
        f"<div class='note'><p>{NOTICE}</p></div><div class='about'><p>{description}</p></div>"
    )
    text = product_text(tree, "https://lanterns.example/p/ridgeback-case")
    assert text is not None
    assert "We use cookies" not in text
    assert "Ridgeback Lantern Case" in text
    assert "brass latch" in text


def test_a_notice_that_is_all_the_text_beside_the_name_stays() -> None:
    # without it the page would hold too few words and be refused: the notice is kept
    tree = page(
        "<div class='top'><h1>Ridgeback Lantern Case</h1></div>"
        f"<div class='note'><p>{NOTICE}</p></div>"
    )
    text = product_text(tree, "https://lanterns.example/p/ridgeback-case")
    assert text == f"Ridgeback Lantern Case\n{NOTICE}"


def test_the_name_stays_when_all_of_trafilaturas_text_was_another_products() -> None:
    teaser = (
        "The Fernhill lantern burns for twenty hours on one filling of lamp oil and "
        "hangs from a folding bail."
    )
    tree = page(
        "<div class='top'><h1>Ridgeback Lantern Case</h1></div><article>"
        f"<h2>You may also like</h2><p>{teaser}</p><p>{teaser} Brass.</p><p>{teaser} Copper.</p>"
        "</article>"
    )
    assert product_text(tree, "https://lanterns.example/p/ridgeback-case") == (
        "Ridgeback Lantern Case"
    )


def test_a_shipping_and_returns_section_leaves() -> None:
    tree = body(
        "<p>Felt-lined, with a brass latch.</p>",
        "<head rend='h2'>Shipping &amp; Returns</head>",
        "<p>Orders ship within two days; returns are accepted within 30 days.</p>",
        "<head rend='h2'>Care</head>",
        "<p>Wipe the case with a damp cloth.</p>",
    )
    drop_other_sections(tree)
    assert ["".join(block.itertext()) for block in tree] == [
        "Felt-lined, with a brass latch.",
        "Care",
        "Wipe the case with a damp cloth.",
    ]


TABBED_PAGE = b"""<html><head><title>Fernhill Wool Blanket</title></head><body>
<main><h1>Fernhill Wool Blanket</h1><p>$89.00</p>
<p>A heavy blanket woven from undyed mountain wool on a slow loom in a small mill, warm on cold
nights and soft enough for a sofa, with a blanket-stitched edge that keeps its shape for years.</p>
<p>Each blanket is washed once after weaving so it will not shrink at home, then brushed by hand
to raise a light nap; the natural grey and cream stripes come from the sheep themselves.</p>
<ul class="tabs"><li>Description</li><li>Care</li><li>Reviews</li></ul>
<div class="tab-panes">
<div class="tab-pane" style="display: none">
<p>Dimensions: 150 by 200 centimetres, weight 1.9 kilograms.</p>
<p>Wash cold by hand with a lanolin soap and dry flat away from radiators.</p></div>
<div class="tab-pane" style="display:none"><h3>Customer reviews</h3><p>Lovely and warm, but it took
three weeks to arrive at my door, and the box was dented badly.</p></div>
</div>
<div class="accordion"><div style="display:none"><a href="/help">Help centre</a>
<a href="/stores">Find a store near you</a><a href="/jobs">Careers at the mill</a></div></div>
</main></body></html>"""


def test_a_hidden_tab_panels_text_joins_a_product_and_its_reviews_and_menus_stay_out() -> None:
    article = assemble(
        PageInput(body=TABBED_PAGE, url="https://fernhill.example/products/blanket", article_id="a")
    )
    assert article is not None
    assert article.page_type is PageType.PRODUCT
    assert article.text is not None
    assert "150 by 200 centimetres" in article.text
    assert "lanolin soap" in article.text
    assert "three weeks to arrive" not in article.text
    assert "Careers at the mill" not in article.text


def test_hidden_panels_reads_hidden_panels_only_and_leaves_the_tree_as_it_was() -> None:
    tree = fromstring(TABBED_PAGE)
    before = etree.tostring(tree)
    panels = hidden_panels(tree)
    assert panels == [
        "Dimensions: 150 by 200 centimetres, weight 1.9 kilograms.\n"
        "Wash cold by hand with a lanolin soap and dry flat away from radiators."
    ]
    assert etree.tostring(tree) == before
    shown = fromstring(
        b"<html><body><div class='tab-pane'><p>Shown already</p></div></body></html>"
    )
    assert hidden_panels(shown) == []
    role = fromstring(
        b"<html><body><div role='tabpanel' aria-hidden='true'><p>By role</p></div></body></html>"
    )
    assert hidden_panels(role) == ["By role"]
