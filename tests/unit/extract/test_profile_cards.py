"""The listing and collection profile on small pages made for these tests: the cards and the
heading are in the text; facets, sort controls, pagination, menus and the footer are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml.html import fromstring  # type: ignore[import-untyped]

from core.extract import pagetype, profile_cards
from core.extract.assemble import assemble
from core.extract.loading import load_html
from core.extract.pagetype import classify
from core.extract.profile_cards import (
    CardGrid,
    Cards,
    GridReading,
    card_grid,
    card_text,
    from_heading,
    grid_region,
    is_card_page,
    listing_text,
    page_cards,
    with_cards,
    without_controls,
)
from core.models import Article, PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"
PRODUCTS = (
    "Larch Trail Backpack 28 L\n€129.00",
    "Fjord Day Pack 18 L\n€74.50",
    "Scree Rain Cover\n€19.00",
)


def extracted(name: str, url: str) -> Article:
    body = (FIXTURES / f"{name}.html").read_bytes()
    article = assemble(PageInput(body=body, url=url, article_id="a"))
    assert article is not None
    return article


def test_a_collection_keeps_its_product_cards_and_drops_facets_and_controls() -> None:
    article = extracted("collection-page", "https://alder.example/c/backpacks")
    assert article.page_type is PageType.COLLECTION
    text = article.text or ""
    assert text.startswith("Backpacks\nPacks for a day on the hill")
    for card in PRODUCTS:
        assert card in text
    for chrome in (
        "Refine by",
        "Waterproof (12)",
        "Ochre colourway",
        "Lowest price first",
        "Next page",
        "Add to basket",
        "Help centre",
        "Tents",
    ):
        assert chrome not in text
    # trafilatura alone drops the linked cards
    bare = trafilatura.extract((FIXTURES / "collection-page.html").read_text())
    assert "Larch Trail Backpack" not in (bare or "")


def test_a_page_of_linked_cards_without_other_signals_is_a_listing() -> None:
    article = extracted("jobs-board", "https://harbourwork.example/board")
    assert article.page_type is PageType.LISTING
    text = article.text or ""
    assert "Jobs on the water" in text
    for job in ("Boat Builder (Wooden Dinghies)", "Bay Sailing School", "Contract, 6 months"):
        assert job in text


def test_the_grid_is_the_largest_group_of_linked_cards_outside_the_chrome() -> None:
    tree = fromstring((FIXTURES / "collection-page.html").read_bytes())
    grid = card_grid(tree)
    assert grid is not None
    assert [card.get("class") for card in grid.cards] == ["product-tile"] * 8
    assert is_card_page(grid)


def _article(related: int) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story about the new harbour ferry, which runs on the sun"
        " and on batteries charged at the quay overnight.</p>"
        for n in range(12)
    )
    cards = "".join(
        f'<li class="related"><a href="/story/{n}">Another story number {n} worth a read</a></li>'
        for n in range(related)
    )
    body = f"<article><h1>Solar ferry</h1>{paragraphs}</article><ul>{cards}</ul>"
    return f"<html><body>{body}</body></html>"


def test_an_article_with_a_few_related_links_is_not_a_card_page() -> None:
    tree = fromstring(_article(related=8))
    assert card_grid(tree) is not None  # the related links are a group…
    assert not is_card_page(card_grid(tree))  # …but not the page
    assert classify(tree, "https://news.example/2026/solar-ferry") is PageType.ARTICLE


def test_cards_already_in_the_text_are_not_repeated() -> None:
    text = "Spring sale\nLarch Trail Backpack 28 L €129.00"
    found = Cards("Spring sale", ("Larch Trail Backpack 28 L €129.00", "Moss Hip Bag €39.00"))
    assert with_cards(text, found) == f"{text}\nMoss Hip Bag €39.00"


def test_a_page_without_text_from_trafilatura_gets_the_heading_and_the_cards() -> None:
    found = page_cards(fromstring((FIXTURES / "collection-page.html").read_bytes()))
    text = with_cards(None, found) or ""
    assert text.split("\n")[0] == "Backpacks"
    assert "Heather Sling €45.00" in text


def test_buttons_and_hidden_parts_of_a_card_are_not_its_text() -> None:
    tree = fromstring(
        "<html><body><h1>Mugs</h1><div class='grid'>"
        + "".join(
            f"<div class='card'><a href='/m/{n}'>Stoneware mug {n}</a> <span>€12</span>"
            "<button>Quick view</button><span hidden>Only in the app</span></div>"
            for n in range(4)
        )
        + "</div></body></html>"
    )
    found = page_cards(tree)
    assert found.heading == "Mugs"
    assert found.cards == tuple(f"Stoneware mug {n} €12" for n in range(4))


def test_a_card_page_that_sells_is_a_collection() -> None:
    # no path or declaration says so: the grid makes it a listing, its prices a collection
    article = extracted("collection-page", "https://alder.example/backpacks")
    assert article.page_type is PageType.COLLECTION
    assert "Cairn Duffel 45 L\n€149.00" in (article.text or "")


def test_a_card_drops_chrome_named_by_a_whole_class_or_id_token() -> None:
    card = load_html(
        '<div class="card"><a href="/p/1">Blue kettle</a>'
        '<span class="big\tSite-Footer">footer token after a tab</span>'
        '<span id="mainNav">nav id</span>'
        '<span class="seo-footer-copy product-card">kept: no whole chrome token</span>'
        '<span class="navigation-item">kept: navigation is only part of the token</span>'
        '<span class="x" aria-hidden="true">hidden</span></div>'
    )
    assert card is not None
    assert card_text(card) == (
        "Blue kettle kept: no whole chrome token kept: navigation is only part of the token"
    )


STORIES = (
    ("Ferry timetable changes", "Winter sailings leave an hour later from Monday."),
    ("Lifeboat crew rescues kayaker", "Volunteers answered a call off Gull Point at dawn."),
    ("Fish market reopens", "Traders return to the renovated hall after nine months."),
    ("Marina berth fees rise", "Owners of larger yachts pay twelve percent more."),
    ("Lighthouse open day", "Visitors can climb the tower on the first Sunday."),
    ("Dredging delays", "Silt pumps broke twice, so the channel stays shallow."),
)


def _news_listing(grid_class: str) -> str:
    cards = "".join(
        f'<article class="story"><h3><a href="/story/{n}">{title}</a></h3>'
        f"<p>{snippet}</p><time>3 March</time></article>"
        for n, (title, snippet) in enumerate(STORIES)
    )
    intro = "".join(
        f"<p>Paragraph {n} of the desk's introduction: who writes here and what they cover"
        " along the coast, week after week, in print and online.</p>"
        for n in range(12)
    )
    return (
        '<html><body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav><main>'
        f"<h1>Harbour news</h1>{intro}<div class='{grid_class}'>{cards}</div>"
        '<div class="pagination"><a href="?page=2">Older stories</a></div>'
        "</main><footer>Harbour Gazette, Quay Street 4</footer></body></html>"
    )


def test_a_listing_reads_heading_intro_and_every_card_in_page_order() -> None:
    text = listing_text(fromstring(_news_listing("stories")), "https://gazette.example/news")
    lines = (text or "").split("\n")
    assert lines[0] == "Harbour news"
    # every card, in the page's order, its snippet under its title
    titles = [line for line in lines if line in {title for title, _ in STORIES}]
    assert titles == [title for title, _ in STORIES]
    for title, snippet in STORIES:
        assert lines[lines.index(title) + 1] == snippet
    for chrome in ("Older stories", "Sport", "Quay Street"):
        assert chrome not in (text or "")


def test_a_grid_the_section_walk_leaves_out_still_reaches_the_text() -> None:
    # a grid inside a boilerplate-named block (``social``): the walk misses it, the cards stay
    text = listing_text(fromstring(_news_listing("social-grid")), "https://gazette.example/news")
    for title, _ in STORIES:
        assert title in (text or "")


def test_each_card_keeps_its_one_word_tags_and_price_however_often_they_repeat() -> None:
    # a reader of the listing needs every job's place, hours and salary, not the first one's
    tree = load_html((FIXTURES / "remote-jobs.html").read_text())
    assert tree is not None
    lines = (listing_text(tree, "https://mapwork.example/jobs") or "").split("\n")
    assert lines[:2] == [
        "Cartography jobs",
        "Six openings for map makers, surveyors and GIS analysts, newest first.",
    ]
    assert lines[lines.index("Junior Geodesist") :] == [
        "Junior Geodesist",
        "Meridian Institute",
        "Remote",
        "Part-time",
        "€31,000",
    ]
    assert lines.count("Remote") == 4
    assert lines.count("Full-time") == 3
    assert lines.count("€52,000") == 2
    assert "Next page" not in lines


def test_the_listing_is_read_without_the_blocks_beside_its_heading_and_cards() -> None:
    # the rail and the shop's address are no part of the list, though nothing names them chrome
    tree = load_html((FIXTURES / "reading-list.html").read_text())
    assert tree is not None
    text = listing_text(tree, "https://tidemark.example/sea-stories") or ""
    assert text.startswith("Sea stories\nNovels of ships, storms and the people who sail them.")
    for book in ("The Salt Road\nMara Quill\n€14.50", "Driftwood Summer\nAna Reyes\n€10.40"):
        assert book in text
    for elsewhere in ("Staff favourites", "Knots for Every Occasion", "reading circle", "Quay"):
        assert elsewhere not in text


def test_the_grid_region_is_the_whole_page_only_when_nothing_smaller_holds_both() -> None:
    tree = load_html((FIXTURES / "reading-list.html").read_text())
    assert tree is not None
    headline = next(tree.iter("h1"))
    region = grid_region(card_grid(tree), headline)
    assert region is not None
    assert region.get("class") == "listing"
    jobs = load_html((FIXTURES / "jobs-board.html").read_text())
    assert jobs is not None
    # there the heading and the jobs share a wrapper that is all of the page's content
    assert grid_region(card_grid(jobs), next(jobs.iter("h1"))).get("class") == "wrap"
    flat = fromstring(
        "<html><body><h1>Mugs</h1>"
        + "".join(f"<p><a href='/m/{n}'>Stoneware mug number {n}</a></p>" for n in range(4))
        + "</body></html>"
    )
    assert grid_region(card_grid(flat), next(flat.iter("h1"))) is None


KITCHEN = (("Copper kettle", "£34.00"), ("Enamel teapot", "£28.50"), ("Stoneware jug", "£19.00"))


def _kitchen_shop() -> str:
    cards = "".join(
        f'<li class="product"><div><a href="/p/{n}">{name}</a></div><div>{price}</div>'
        f'<div><a class="qv" href="/p/{n}#quick">Quick view</a></div><div>Sold out</div></li>'
        for n, (name, price) in enumerate(KITCHEN)
    )
    return (
        "<html><body><main><h1>Kitchen</h1><p>Pots, kettles and cloths for the kitchen.</p>"
        f'<ul class="products">{cards}</ul><p><a href="?page=2">Load more</a></p>'
        "<p>View from the shop window, a poem by our founder.</p></main></body></html>"
    )


def test_a_listing_leaves_out_the_lines_that_are_its_controls() -> None:
    text = listing_text(fromstring(_kitchen_shop()), "https://kettle.example/kitchen") or ""
    assert text.split("\n") == [
        "Kitchen",
        "Pots, kettles and cloths for the kitchen.",
        *(line for card in KITCHEN for line in card),
        # a line that only starts with a control's word is content
        "View from the shop window, a poem by our founder.",
    ]


def test_control_lines_are_whole_lines_case_and_spaces_folded() -> None:
    text = (
        "Lamps\n  QUICK   View \nSort by:\n24 items\nView\nLearn more about lamps\nAdd to cart"
        "\nFilters (2)\nShowing 1-24 of 310 results\nShowing our lamps"
    )
    assert without_controls(text) == "Lamps\nLearn more about lamps\nShowing our lamps"


def test_what_trafilatura_keeps_above_the_heading_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the walk misses the grid (a boilerplate-named block), so trafilatura's text is used: the
    # menu and the basket it kept above the page's heading go, the cards are added
    chrome = "Quotation\n0 Items\nLogin\nGarden\nTools\nLamps"
    monkeypatch.setattr(
        "core.extract.profile_cards.main_text",
        lambda tree, url: f"{chrome}\nHarbour news\nWho writes here and what they cover.",
    )
    text = listing_text(fromstring(_news_listing("social-grid")), "https://gazette.example/news")
    lines = (text or "").split("\n")
    assert lines[:2] == ["Harbour news", "Who writes here and what they cover."]
    assert not {"Quotation", "0 Items", "Login", "Garden"} & set(lines)
    for title, _ in STORIES:
        assert title in (text or "")


def test_a_text_is_cut_only_at_a_line_that_is_the_heading() -> None:
    assert from_heading("Menu\nShoes\nBoots", "Shoes") == "Shoes\nBoots"
    assert from_heading("Shoes\nMenu", "Shoes") == "Shoes\nMenu"
    assert from_heading("Menu\nShoes for winter\nBoots", "Shoes") == "Menu\nShoes for winter\nBoots"
    assert from_heading("Menu\nBoots", "") == "Menu\nBoots"
    assert from_heading(None, "Shoes") is None


def test_a_listing_page_walks_its_card_grid_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier and the listing profile share one walk of the unpruned tree."""
    walks: list[object] = []

    def counted(tree: object) -> CardGrid | None:
        walks.append(tree)
        return card_grid(tree)

    monkeypatch.setattr(profile_cards, "card_grid", counted)
    monkeypatch.setattr(pagetype, "card_grid", counted, raising=False)  # where it was imported
    article = extracted("jobs-board", "https://harbourwork.example/board")
    assert article.page_type is PageType.LISTING  # read as a listing from its card grid
    assert len(walks) == 1


def test_a_grid_reading_of_another_tree_is_refused() -> None:
    reading = GridReading(fromstring(_news_listing("stories")))
    with pytest.raises(ValueError, match="another tree"):
        listing_text(fromstring(_news_listing("stories")), "https://gazette.example/news", reading)


def _brand_cards_page() -> str:
    cards = "".join(
        f'<li class="tile"><a href="/p/{n}"><h2><span class="brand">{brand}</span>'
        f'<span class="name">{name}</span></h2></a><span class="price">${price}</span>'
        f"<p>Rated by {n * 17} walkers who took it up the hill and back again.</p></li>"
        for n, (brand, name, price) in enumerate(
            (
                ("Fellcraft", "Ridge Mid Boot", "180.00"),
                ("Tarnstep", "Scree Runner", "140.00"),
                ("Gillwork", "Beck Approach Shoe", "120.00"),
                ("Fellcraft", "Corrie Low Boot", "160.00"),
            ),
            start=1,
        )
    )
    return (
        "<html><body><main><h1>Hiking boots</h1>"
        f'<ul class="results">{cards}</ul></main></body></html>'
    )


def test_a_cards_brand_and_name_in_sibling_spans_are_two_words_not_one() -> None:
    # <span>Fellcraft</span><span>Ridge Mid Boot</span> reads "Fellcraft Ridge Mid Boot"
    text = listing_text(fromstring(_brand_cards_page()), "https://fell.example/boots") or ""
    for title in ("Fellcraft Ridge Mid Boot", "Tarnstep Scree Runner", "Gillwork Beck Approach"):
        assert title in text
    assert "FellcraftRidge" not in text


def test_a_cards_badges_review_counts_and_price_labels_are_control_lines() -> None:
    text = (
        "Tents\nTop Rated\nBest Seller\nRidgeline 2 Tent\nRegular price\n£240.00\n(132)"
        "\n48 reviews\nSale!\nSort : Best Match\nSort and filter\nSale of the season on tents"
        "\nSorting the pegs: a guide for beginners who camp in the rain"
    )
    assert without_controls(text).split("\n") == [
        "Tents",
        "Ridgeline 2 Tent",
        "£240.00",
        "Sale of the season on tents",
        "Sorting the pegs: a guide for beginners who camp in the rain",
    ]


def _post(n: int, terms: str) -> str:
    return (
        f'<article class="post-{n} post type-post status-publish {terms} entry">'
        '<header class="entry-header"><h2 class="entry-title">'
        f'<a href="/recipe-{n}">Crisp garden recipe number {n}</a></h2></header>'
        f"<p>Ready in twenty minutes with what the allotment gives this week.</p></article>"
    )


def test_posts_with_their_own_category_and_tag_classes_are_one_grid() -> None:
    # WordPress writes each post's taxonomy terms and states into its classes: the posts of a
    # category page differ there, and are still the page's cards; each post's linked title is
    # in its own <header>, which is not the site's header
    terms = (
        "category-dinner tag-quick has-post-thumbnail",
        "category-dinner category-vegan tag-easy",
        "category-lunch format-standard sticky",
        "category-dinner tag-summer has-post-thumbnail",
        "category-soups first",
        "category-dinner tag-quick last",
    )
    posts = "".join(_post(n, value) for n, value in enumerate(terms))
    aside = "".join(
        f'<div class="promo"><a href="/shop/{n}">Our best cast iron pan, on sale</a></div>'
        for n in range(3)
    )
    tree = fromstring(f"<html><body><main><h1>Dinner</h1>{posts}</main>{aside}</body></html>")
    grid = card_grid(tree)
    assert grid is not None
    assert len(grid.cards) == len(terms)
    assert {card.tag for card in grid.cards} == {"article"}
    assert card_text(grid.cards[0]).startswith("Crisp garden recipe number 0 Ready in")


def test_a_header_is_chrome_outside_an_article_only() -> None:
    site = '<header class="site"><a href="/">Home of the garden kitchen magazine</a></header>'
    posts = "".join(
        f'<div class="teaser"><header><a href="/p/{n}">A teaser title number {n}</a></header>'
        "<p>A line of summary.</p></div>"
        for n in range(3)
    )
    tree = fromstring(f"<html><body>{site}<main>{posts}</main></body></html>")
    assert card_grid(tree) is None  # outside an <article>, a <header> is still left out


def test_classes_that_name_the_card_still_tell_groups_apart() -> None:
    kinds = ("event", "event", "event", "venue", "venue", "venue", "venue")
    cards = "".join(
        f'<div class="{kind}-card"><a href="/{kind}/{n}">A {kind} worth a look, number {n}</a>'
        "</div>"
        for n, kind in enumerate(kinds)
    )
    grid = card_grid(fromstring(f"<html><body><main>{cards}</main></body></html>"))
    assert grid is not None
    assert {card.get("class") for card in grid.cards} == {"venue-card"}
