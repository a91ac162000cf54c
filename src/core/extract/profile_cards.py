"""Listing and collection profile: the page's heading and its repeated cards.

On a listing (news, search results, jobs, a blog's front page) or a collection (a shop's
category), the content is the grid of cards: each item's title, snippet, price or date.
trafilatura drops most of them as link-heavy boilerplate. This module finds the card grid in
one pass over the tree, before trafilatura prunes it:

- chrome is skipped: ``nav``, ``header`` (unless inside an ``<article>``: a post's own
  header, its linked title), ``footer``, ``aside``, form controls, hidden elements, and
  elements whose class or id token names a breadcrumb, pagination, filters, facets, sort
  controls, menus, sidebars, a header or footer (``_CHROME``);
- the children of each element are grouped by signature (tag and classes, digits and the
  per-item taxonomy tokens WordPress writes, ``category-*``, ``tag-*``…, ignored);
  a group of at least three members that carry a link and text is a card group, and the one
  with the most text is the page's grid (``card_grid``).

The profile's text (``listing_text``) is the listing's region read whole, section by section
(``grid_region``: the nearest element holding both the card grid and the page's ``<h1>``, which
leaves out rails, menus and blocks beside the list; the page's main region when only ``<body>``
holds both), as the service profile reads it (``core.extract.profile_sections.section_lines``:
heading, intro, each card's title, snippet, price and date on their own lines, in the page's
order), with the chrome above also left out (facets, filters, sort controls, pagination),
each one-word line kept every time it comes (a card's "Remote", "Full-time" or price: the
service walk keeps a line once, which left every card after the first without them) and an
inline element read apart from the sibling before it (a card's ``<span>Brand</span><span>Name
</span>`` is "Brand Name": glued, both words were lost to the reader and the index) — when that
text holds at least half of the card grid's words and at least 0.3 of trafilatura's word count.
Otherwise the walk missed the grid or lost the page (content inside an element it leaves out, an
empty ``<main>``), and the text is trafilatura's, the page's ``<h1>`` when trafilatura lacks it,
and each card whose words are mostly missing from trafilatura's text, one line per card
(``with_cards``). On the WCXB development pages (all 1,497, the classifier's routing) that took
collection 0.633 → 0.674 and listing 0.683 → 0.732: trafilatura keeps one block of a grid, and
the cards added after it came out of the page's order, one line each (docs/extraction.md).
trafilatura's text is taken from its line that is the page's ``<h1>`` on (``from_heading``:
above it trafilatura keeps menus, a basket, sign-in links), and either text loses the lines
that are the listing's controls ("Quick view", "Add to cart", "Sort by", "Load more":
``without_controls``).

The classifier uses the same grid (``is_card_page``): an undeclared page whose grid is at
least six linked cards, with at least half of the grid's text in links and the grid holding
at least 30% of the page's text, is a listing (on the WCXB development pages: no article,
13 of the 63 listings and collections that had been taken for articles; docs/extraction.md).

Bounded work: one linear pass over the elements (``etree.iterwalk``), each child grouped once
under its parent; the texts of the grid's members (disjoint subtrees) are read once; the
sections walk is linear too (its own bounds in ``core.extract.profile_sections``). The element
count itself is bounded before parsing (``core.page_guards``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.profile_sections import section_lines
from core.extract.text import main_text
from core.extract.textstats import folded, lower_words

logger = logging.getLogger(__name__)

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "header",
        "footer",
        "aside",
        "select",
        "button",
        "iframe",
        "option",
        "label",
        "input",
        "textarea",
        "head",
    }
)
#: Never skipped, whatever their classes say (a ``page-with-filter`` body holds the page).
_KEEP_TAGS = frozenset({"html", "body", "main"})
#: A class or id token naming page chrome: the whole token (with an optional site/page-style
#: prefix), so ``product-card`` or ``seo-footer-copy`` are not taken for chrome. Looser
#: substring matches skipped the page's own wrappers (measured: listing 0.667 → 0.684).
#: Searched in an element's class and id values at once: a token is a run of non-spaces.
_CHROME = re.compile(
    r"(?<!\S)(?:site|global|main|page|product|search|top|bottom|mobile)?[-_]*"
    r"(?:breadcrumbs?|pagination|pager|filters?|facets?|refinements?|sort-?by|sorting|menu"
    r"|navbar|nav|navigation|cookie-?banner|newsletter|modal|sidebar|footer|header|masthead"
    r"|social-?share|toolbar|drawer)(?!\S)"
)
#: A line that is one of a listing's controls, not an item's text: buttons and links drawn as
#: text ("Quick view", "Add to cart", "Sort by", "Load more", "Learn more"), loading and
#: stock placeholders, a result count ("24 items"), a filter's or a pager's state ("Filters
#: (2)", "Showing 1-24 of 310"), a sort control's state ("Sort: Best Match"), a screen
#: reader's "Unit price" or "Regular price" label, a card's badge ("Top rated", "Best seller",
#: "Sale!") and its review count alone on a line ("(132)", "48 reviews").
#: Matched on the whole line, case and spaces folded. Chosen on the even-numbered WCXB
#: development pages routed to this profile (each label kept only when it did not lose
#: there), checked on the odd ones (docs/extraction.md).
_CONTROL_LINE = re.compile(
    r"quick ?view|add to (?:cart|bag|basket|wish ?list|compare)|compare"
    r"|(?:choose|select|view) options|apply now|sponsored|loading(?:\.\.\.|…)?|coming soon"
    r"|sold out|out of stock|close|filter (?:&|and) sort|sort(?: by)?:?|filters?:?|view"
    r"|see details|show more|load more|view all|shop now|learn more|read more|sign up"
    r"|results list|\d+ items?|(?:regular|sale|original|current|unit) price:?"
    r"|(?:\d+ )?filters? (?:\(\d+\)|applied!?)"
    r"|sort (?:options|and filter)|sort ?: ?.{1,30}|skip to (?:main )?content|sale!?"
    r"|top rated|best ?seller|new arrivals?|award winner"
    r"|\(\d[\d,]*\)|\(?\d[\d,]* (?:reviews?|ratings?)\)?"
    r"|(?:showing|products|items|results) \d[\d,]*(?: ?[-–] ?\d[\d,]*)? of \d[\d,]*"
    r"(?: (?:results|products|items))?"
)
#: Longer lines are never a control line (the longest the expression takes is about 45
#: characters: a pager's state with large numbers); they are not folded or matched.
MAX_CONTROL_CHARS = 60
_DIGITS = re.compile(r"\d+")
#: Class tokens that tell one item from its siblings, not what the item is: the taxonomy terms
#: and states WordPress's ``post_class()`` (and WooCommerce's product classes) write on each
#: post or product (``category-recipes``, ``tag-easy``, ``product_cat-shoes``,
#: ``status-publish``, ``has-post-thumbnail``, ``first``, ``instock``). Left out of a card's
#: signature, or every post of a category page, each with its own terms, is a group of one.
_ITEM_TOKENS = re.compile(
    r"(?<!\S)(?:(?:category|tag|product_cat|product_tag|format|status)-\S*"
    r"|has-post-thumbnail|sticky|first|last|instock|outofstock|onbackorder|sale|featured)(?!\S)"
)

#: A card group has at least this many members with a link and text.
MIN_CARDS = 3
#: Members averaging fewer characters are swatches, tags or menu entries, not cards.
MIN_CARD_CHARS = 15
#: A card is added when more than this share of its words is missing from trafilatura's text.
NEW_WORDS_SHARE = 0.5
#: The sections text is the listing's when it holds at least this share of the card grid's
#: words (below it the walk missed the grid: content drawn inside an element it leaves out)…
GRID_COVERAGE = 0.5
#: …and at least this share of trafilatura's word count (below it the walk lost the page to a
#: boilerplate-named wrapper or an empty ``<main>``). Both chosen on the even-numbered WCXB
#: development pages (a coverage of 0.3 to 0.8 moves them by under 0.4 of summed F1; a share of
#: 0.3 was the best of 0.2 to 0.7), checked on the odd ones (docs/extraction.md).
WORDS_SHARE = 0.3
#: The classifier's rule (calibrated on the even-numbered WCXB pages, checked on the odd:
#: a plateau, 5–8 cards, 0.5–0.7 link share and 0.25–0.4 page share catch the same pages).
PAGE_CARDS = 6
PAGE_LINK_SHARE = 0.5
PAGE_TEXT_SHARE = 0.3


@dataclass(frozen=True)
class CardGrid:
    """The page's largest group of cards and what the classifier weighs."""

    cards: tuple[HtmlElement, ...]
    chars: int
    link_chars: int
    page_chars: int


def _in_article(element: HtmlElement) -> bool:
    """Whether ``element`` lies inside an ``<article>``: a ``<header>`` there is the post's own
    (its linked title, as WordPress themes write ``entry-header``), not the site's."""
    return any(ancestor.tag == "article" for ancestor in element.iterancestors())


def _skipped(element: HtmlElement) -> bool:
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return True
    if tag in _KEEP_TAGS:
        return False
    get = element.get
    if tag in _SKIP_TAGS and not (tag == "header" and _in_article(element)):
        return True
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    css, identifier = get("class"), get("id")
    if not css and not identifier:  # most elements: no token to read
        return False
    # one search over both values, not a split and a match per token (same tokens)
    return _CHROME.search(f"{css or ''} {identifier or ''}".lower()) is not None


@lru_cache(maxsize=4_096)
def _kind(css: str) -> str:
    """A class value's tokens sorted, per-item tokens (``_ITEM_TOKENS``) and digits left out
    (cached: a page's cards repeat the same few values)."""
    return _DIGITS.sub("", " ".join(sorted(_ITEM_TOKENS.sub(" ", css).split())))


def _signature(element: HtmlElement) -> str:
    css = element.get("class")
    return f"{element.tag}|{_kind(css) if css else ''}"


def card_grid(tree: HtmlElement) -> CardGrid | None:
    """The largest group of sibling cards in ``tree`` (read, not modified), chrome skipped."""
    # per element: characters of text, characters inside links, links
    stats: dict[HtmlElement, tuple[int, int, int]] = {}
    skipped: set[HtmlElement] = set()
    best: tuple[int, list[HtmlElement]] | None = None
    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if element is not tree and _skipped(element):
                walker.skip_subtree()
                skipped.add(element)
            continue
        if element in skipped:
            continue
        is_link = element.tag == "a"
        chars = len((element.text or "").strip())
        link_chars, links = (chars, 1) if is_link else (0, 0)
        groups: dict[str, list[HtmlElement]] = {}
        for child in element:
            chars += len((child.tail or "").strip())
            found = stats.get(child)
            if found is None:
                continue
            chars += found[0]
            link_chars += found[0] if is_link else found[1]
            links += found[2]
            if found[0] and found[2]:
                groups.setdefault(_signature(child), []).append(child)
        stats[element] = (chars, link_chars, links)
        for members in groups.values():
            if len(members) < MIN_CARDS:
                continue
            total = sum(stats[member][0] for member in members)
            if total >= MIN_CARD_CHARS * len(members) and (best is None or total > best[0]):
                best = (total, members)
    if best is None:
        return None
    total, members = best
    return CardGrid(
        cards=tuple(members),
        chars=total,
        link_chars=sum(stats[member][1] for member in members),
        page_chars=stats.get(tree, (0, 0, 0))[0],
    )


class GridReading:
    """One page's card grid, read at most once while its tree is unchanged: the classifier
    (``core.extract.pagetype``) and then the listing profile ask for it before trafilatura
    prunes the tree (on listing pages both did: 3.5 and 10.7 ms a walk on WCXB pages)."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree

    @cached_property
    def grid(self) -> CardGrid | None:
        """``card_grid`` of the tree."""
        return card_grid(self.tree)


def grid_reading(tree: HtmlElement, reading: GridReading | None) -> GridReading:
    """``reading`` when it reads ``tree``, else a new one (``ValueError`` for another tree)."""
    if reading is None:
        return GridReading(tree)
    if reading.tree is not tree:
        raise ValueError("the grid reading is of another tree")
    return reading


def is_card_page(grid: CardGrid | None) -> bool:
    """Whether the grid is the page: many linked cards holding much of its text."""
    return (
        grid is not None
        and len(grid.cards) >= PAGE_CARDS
        and grid.link_chars >= PAGE_LINK_SHARE * grid.chars
        and grid.chars >= PAGE_TEXT_SHARE * grid.page_chars
    )


def card_text(card: HtmlElement) -> str:
    """The visible text of one card on one line, chrome (buttons, hidden parts) skipped."""
    parts: list[str] = []
    walker = etree.iterwalk(card, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if element is not card and _skipped(element):
                walker.skip_subtree()
            elif element.text:
                parts.append(element.text)
        elif element is not card and element.tail:
            parts.append(element.tail)
    return folded(" ".join(parts))


def _headline(tree: HtmlElement) -> tuple[HtmlElement | None, str]:
    """The page's first non-empty ``<h1>`` and its text."""
    for element in tree.iter("h1"):
        text = folded(element.text_content())
        if text:
            return element, str(text)
    return None, ""


def heading(tree: HtmlElement) -> str:
    """The text of the page's first non-empty ``<h1>``."""
    return _headline(tree)[1]


def grid_region(grid: CardGrid | None, headline: HtmlElement | None) -> HtmlElement | None:
    """The nearest element holding both the card grid and the page's headline, unless that
    is the whole page (``<body>``): the listing itself, without the sidebars, menus and
    blocks around it. Two walks up the tree (its depth is bounded before parsing)."""
    if grid is None or headline is None:
        return None
    above = set(headline.iterancestors())
    node = grid.cards[0].getparent()
    while node is not None and node not in above:
        node = node.getparent()
    if node is None or node.tag in _KEEP_TAGS - {"main"}:
        return None
    return node


@dataclass(frozen=True)
class Cards:
    """What the listing profile adds to trafilatura's text: the heading and the cards."""

    heading: str = ""
    cards: tuple[str, ...] = ()


def page_cards(tree: HtmlElement) -> Cards:
    """The heading and the card texts of ``tree`` (read before trafilatura prunes it)."""
    grid = card_grid(tree)
    texts = tuple(text for text in map(card_text, grid.cards) if text) if grid else ()
    return Cards(heading(tree), texts)


def with_cards(text: str | None, found: Cards) -> str | None:
    """``text`` with the heading before it when missing, and after it each card whose words
    it mostly lacks."""
    words = set(lower_words(text or ""))
    lines: list[str] = []
    if found.heading and not set(lower_words(found.heading)) <= words:
        lines.append(found.heading)
    if text:
        lines.append(text)
    for card in found.cards:
        tokens = lower_words(card)
        if tokens and sum(token not in words for token in tokens) > NEW_WORDS_SHARE * len(tokens):
            lines.append(card)
    return "\n".join(lines) if lines else text


def from_heading(text: str | None, title: str) -> str | None:
    """``text`` from its first line that is the page's heading (``title``) on: what trafilatura
    keeps above a listing's heading is the site's menus, cart and sign-in links."""
    if not text or not title:
        return text
    start = text.find(title)
    while start >= 0:  # each place the heading's text is, until one is a whole line
        end = start + len(title)
        if (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n"):
            return text[start:]
        start = text.find(title, start + 1)
    return text


def _control(line: str) -> bool:
    if len(line) > MAX_CONTROL_CHARS:
        return False
    return _CONTROL_LINE.fullmatch(folded(line).lower()) is not None


def without_controls(text: str) -> str:
    """``text`` without the lines that are a listing's controls (``_CONTROL_LINE``)."""
    return "\n".join(line for line in text.split("\n") if not _control(line))


def _covers(text: str, cards: tuple[str, ...]) -> bool:
    """Whether ``text`` holds at least ``GRID_COVERAGE`` of the cards' words (no cards: yes)."""
    vocabulary = set(lower_words(text))
    tokens = [token for card in cards for token in lower_words(card)]
    return sum(token in vocabulary for token in tokens) >= GRID_COVERAGE * len(tokens)


def listing_text(
    tree: HtmlElement, url: str | None, reading: GridReading | None = None
) -> str | None:
    """The listing and collection profile: every section of the listing's region
    (``grid_region``, else the page's main region), its chrome left out (facets, filters,
    sort controls, pagination: ``_CHROME``), when that holds the card grid and is not much
    shorter than trafilatura's text (from its line that is the page's heading on:
    ``from_heading``); else that text with the heading and the cards it dropped
    (``with_cards``); either without the listing's control lines (``without_controls``).
    ``tree`` is spent; ``reading``: its grid, if already read."""
    # both readings before trafilatura prunes the tree
    grid = grid_reading(tree, reading).grid
    headline, title = _headline(tree)
    found = Cards(title, tuple(text for text in map(card_text, grid.cards) if text) if grid else ())
    region = grid_region(grid, headline)
    sections = "\n".join(
        section_lines(tree, chrome=_CHROME, repeats=True, region=region, spaced=True)
    )
    text = from_heading(main_text(tree, url), title)
    if (
        sections
        and _covers(sections, found.cards)
        and len(lower_words(sections)) >= WORDS_SHARE * len(lower_words(text or ""))
    ):
        return without_controls(sections)
    logger.debug("sections of %s miss the card grid: trafilatura's text and the cards", url)
    chosen = with_cards(text, found)
    return without_controls(chosen) if chosen else chosen
