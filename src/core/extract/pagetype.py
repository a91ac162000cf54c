"""Page type: what kind of page this is, from cheap signals read before the text is extracted.

Signals, strongest first:

1. the page's own declarations: JSON-LD ``@type`` (``DiscussionForumPosting``, ``Product``,
   ``CollectionPage``, ``TechArticle``…) and Open Graph ``og:type`` (``product``,
   ``product.group``); a page read as a collection whose title (``h1``) is the ``name`` of a
   ``Product`` it declares is that product's page (``names_its_product``);
2. the URL's shape: ``/threads/``, ``/t/slug/123``, ``/comments/<id>/``, ``/questions/`` and a
   ``topic=<n>`` query for forums, ``/products/`` (and ``/p/``, unless ``og:type`` says
   ``article``) for products, ``/collections/`` and ``/c/`` for collections, ``docs.`` hosts and
   ``/docs/`` for documentation (never on a dated path such as ``/2025/12/``), ``/services/``,
   ``services.html`` and ``/pricing`` for services (not ``/about``: an about page is prose),
   ``/news``, ``/tag/``, ``/topic/<name>``, ``/sections/<name>`` and ``/list/`` for listings;
3. the markup: repeated post containers (``post``, ``message``, ``comment`` classes) for forums,
   ``<pre>``/``<code>`` blocks for documentation (a ``/docs/`` section needs none), a price and
   an add-to-cart control for products, many repeated cards for listings and collections, calls
   to action ("Get started", "Book a demo") without dated items on a site's home page for
   services; last, on a page no signal claimed, a grid of linked cards holding much of its text
   (``core.extract.profile_cards``) for listings, else eight or more subheadings without one
   long paragraph (a stack of short sections) for services.

A sign-in, cart, checkout or account page is ``other``. A page with an article declaration, or
with no stronger signal, is an ``article``: the article
text is extracted by the article profile (``core.extract.profile_article``). Rules are
general (no site or benchmark page is named), chosen by the F1 each profile scores on the pages
they move, not by agreement with the labels (docs/extraction.md, "Routing"); their accuracy on
the WCXB development pages is in ``docs/benchmarks.md`` (``python -m bench.pagetypes``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.profile_cards import GridReading, grid_reading, is_card_page
from core.extract.profile_product import title_line
from core.extract.textstats import folded
from core.models import PageType

_LD_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"([^"]{1,60})"')
_LD_SCRIPTS = etree.XPath(
    "//script[translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'application/ld+json']"
)
#: A JSON-LD block longer than this is read only this far (bounded work on hostile pages).
MAX_LD_CHARS = 200_000
#: At most this many JSON-LD objects are visited per page (bounded work on hostile pages).
MAX_LD_NODES = 2_000

_LD_ARTICLE = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "scholarlyarticle",
    "liveblogposting",
    "socialmediaposting",
}
_LD_FORUM = {"discussionforumposting", "qapage"}
_LD_PRODUCT = {"product", "productgroup", "productmodel", "individualproduct"}
_LD_COLLECTION = {"collectionpage", "offercatalog"}
_LD_DOCS = {"techarticle", "apireference"}

_OG_PRODUCT = {"product", "product.item", "og:product"}
_OG_COLLECTION = {"product.group"}

_FORUM_PATH = re.compile(
    r"/(threads?|forums?|discussions?|questions|showthread\.php|viewtopic\.php)(/|\.|$)"
    r"|/t/[^/]+/\d+|/comments/[a-z0-9]+/"
)
#: A thread addressed by its number in the query (``index.php?topic=123``).
_FORUM_QUERY = re.compile(r"(^|&)topic=\d")
_FORUM_HOST = re.compile(r"^(forums?|community|discuss|discussion|boards?|answers)\.")
_PRODUCT_PATH = re.compile(r"/(products?|dp|item|p)/[^/]+")
_COLLECTION_PATH = re.compile(
    r"/(collections?|cat|category|categories|product-category|sub-categories|shop|browse"
    r"|department)(/|$)|/c/[^/]+"
)
_DOCS_HOST = re.compile(r"^(docs?|developer|developers|devdocs|wiki)\.|\.readthedocs\.io$")
_DOCS_PATH = re.compile(
    r"/(docs?|documentation|manual|reference|api|guide|handbook|tutorial|learn|book|usersguide)"
    r"(/|$|\.)"
)
#: A site's documentation section: documentation even without a code block (a concept page, a
#: guide's overview). Six WCXB documentation pages were articles without it, no article moved.
_DOCS_SECTION = re.compile(r"/(docs|documentation)/")
#: A path dated like a story's (``/2025/12/``, ``/story/25/12/19/``) is never documentation,
#: even on a ``developer.`` host (one WCXB article was read so and lost 0.13 of its F1).
_DATED_PATH = re.compile(r"/(19|20)\d\d/\d\d?/|/\d\d/\d\d/\d\d/")
_LISTING_PATH = re.compile(
    r"/(news|blog|articles|tags?|archives?|search|latest|newest|trending|topics|issues|events"
    r"|jobs|page/\d+)/?$"
    r"|/(topics?|sections?)/[^/]+/?$|/lists?/|/list_of_"
)
_SERVICE_PATH = re.compile(
    r"/(services?|pricing|plans|solutions|consulting|courses?|programs?|contact)"
    r"(/|-|\.|$)"
)
_OTHER_PATH = re.compile(
    r"/(login|log-in|signin|sign-in|signup|sign-up|register|cart|basket|checkout|account)/?$"
)
#: What a service's home page asks its visitor to do (an offer, not a story): the text of a
#: short link or button.
_CALL_TO_ACTION = re.compile(
    r"\b(get started|start (for )?free|free trial|try (it )?(for )?free|(book|request|get|"
    r"schedule) a (demo|call|consultation|quote)|contact sales|talk to sales|sign up|"
    r"free quote|pricing|see plans)\b",
    re.IGNORECASE,
)
#: A link or button text longer than this is a sentence, not a call to action.
CTA_CHARS = 40
#: A home page with this many calls to action and fewer than ``DATED_ITEMS`` ``<time>``
#: elements offers a service. On the WCXB development pages, 31 of the 41 service home pages
#: have one or more, 6 of the 56 home pages of other types; news and blog home pages date their
#: items.
SERVICE_CALLS = 1
DATED_ITEMS = 3
#: A page with this many sibling cards of one class (and no article declaration) is a listing.
LISTING_CARDS = 20


@dataclass(frozen=True)
class Signals:
    """What the classifier read from one page (its tests and the bench print them)."""

    ld_types: frozenset[str]
    og_type: str
    host: str
    path: str
    post_blocks: int
    code_blocks: int
    cards: int
    commerce: int
    query: str = ""
    #: Counted on a site's home page only, the one place they decide the type.
    calls_to_action: int = 0
    dated_items: int = 0


def _ld_type_names(text: str) -> list[str]:
    return [t.lower() for t in _LD_TYPE.findall(text[:MAX_LD_CHARS])]


def _ld_nodes(value: Any, budget: list[int]) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``, depth first, while the budget lasts."""
    stack = [value]
    while stack and budget[0] > 0:
        item = stack.pop()
        if isinstance(item, dict):
            budget[0] -= 1
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _node_types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def declared_products(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """The page's JSON-LD objects typed as a product, parsed (at most ``MAX_LD_NODES``
    objects visited, each block read up to ``MAX_LD_CHARS``)."""
    budget = [MAX_LD_NODES]
    for script in _LD_SCRIPTS(tree):
        try:
            data = json.loads((script.text or "")[:MAX_LD_CHARS])
        except ValueError:
            continue
        for node in _ld_nodes(data, budget):
            if _node_types(node) & _LD_PRODUCT:
                yield node


def names_its_product(tree: HtmlElement) -> bool:
    """Whether the page's title (its first ``h1``) is the name of a product it declares: the
    product's own page, not a category whose cards declare theirs."""
    title = title_line(tree).casefold()
    return bool(title) and any(
        isinstance(name := node.get("name"), str) and folded(name).casefold() == title
        for node in declared_products(tree)
    )


def declared_types(tree: HtmlElement) -> frozenset[str]:
    """The JSON-LD ``@type`` values of the page, lowercased."""
    found: set[str] = set()
    for script in _LD_SCRIPTS(tree):
        found.update(_ld_type_names(script.text or ""))
    return frozenset(found)


#: The signals read from the containers' class names (``class_counts``).
CLASS_COUNTS = ("post_blocks", "cards", "commerce")


def class_counts(tree: HtmlElement) -> dict[str, int]:
    """The signal words of the containers' class names and their most repeated cards: one pass
    over every ``div``, ``article``, ``li`` and ``section`` of ``tree``."""
    classes: list[str] = []
    repeated: Counter[str] = Counter()
    for element in tree.iter(_CONTAINER_TAGS):
        if css := element.get("class"):
            classes.append(css)
            if len(element) >= 2 and element.tag != "section":
                repeated[css] += 1
    # only the counted words matter: found alone, not every word of the class names
    words = Counter(_COUNTED_WORD.findall(" ".join(classes).lower()))
    cards = max(
        (count for css, count in repeated.items() if any(w in css for w in _CARD_WORDS)),
        default=0,
    )
    return {
        "post_blocks": sum(words[w] for w in _POST_WORDS),
        "cards": cards,
        "commerce": sum(words[w] for w in _COMMERCE_WORDS),
    }


class _PageSignals(Signals):
    """``Signals`` of a parsed page whose ``CLASS_COUNTS`` are read (``class_counts``) when a
    rule first asks for one of them: most pages are typed before any rule does (a declared
    article, a forum or product URL), and the pass over the containers is most of the signals'
    cost (0.6 of 0.85 ms on an average WCXB page; 276 of 1,028 pages asked). Read within
    ``classify``, before anything prunes the tree."""

    _tree: HtmlElement

    def __getattr__(self, name: str) -> int:  # only for what is not set yet: the counts
        if name not in CLASS_COUNTS:
            raise AttributeError(name)
        counts = class_counts(self._tree)
        for key, value in counts.items():
            object.__setattr__(self, key, value)
        return counts[name]


def read_signals(tree: HtmlElement, url: str | None) -> Signals:
    """The cheap signals of ``tree`` (not modified) and ``url``, from the elements that carry
    them: one pass over the few markers (code, scripts, ``<meta>``), and one over the
    containers when a rule asks for their counts (``_PageSignals``)."""
    parts = urlsplit(url or "")
    og = ""
    ld_types: set[str] = set()
    code_blocks = 0
    for element in tree.iter("pre", "script", "meta"):
        tag = element.tag
        if tag == "pre":
            code_blocks += 1
        elif tag == "script":
            if (element.get("type") or "").strip().lower() == "application/ld+json":
                ld_types.update(_ld_type_names(element.text or ""))
        elif not og and element.get("property") == "og:type":
            og = (element.get("content") or "").strip().lower()
    home = is_home_path(parts.path)
    read = {
        "ld_types": frozenset(ld_types),
        "og_type": og,
        "host": (parts.hostname or "").lower(),
        "path": parts.path.lower(),
        "query": parts.query.lower(),
        "code_blocks": code_blocks,
        "calls_to_action": _calls_to_action(tree) if home else 0,
        "dated_items": sum(1 for _ in tree.iter("time")) if home else 0,
        "_tree": tree,
    }
    signals = object.__new__(_PageSignals)
    for name, value in read.items():
        object.__setattr__(signals, name, value)
    return signals


def is_home_path(path: str) -> bool:
    """Whether a URL path is a site's front page (``/``)."""
    return path.strip("/") == ""


def _calls_to_action(tree: HtmlElement) -> int:
    """Links and buttons whose short text asks the visitor to start, buy or get in touch."""
    count = 0
    for element in tree.iter("a", "button"):
        text = element.text_content()
        if len(text) <= CTA_CHARS and _CALL_TO_ACTION.search(text):
            count += 1
    return count


def _service_home(signals: Signals) -> bool:
    """A site's home page that offers something (calls to action) rather than dated items."""
    return (
        is_home_path(signals.path)
        and signals.calls_to_action >= SERVICE_CALLS
        and signals.dated_items < DATED_ITEMS
    )


#: The elements whose class names carry the signals' words (cards: not ``section``).
_CONTAINER_TAGS = ("div", "article", "li", "section")
_CARD_WORDS = ("card", "tile", "product", "item", "teaser", "result", "grid")
_POST_WORDS = ("post", "message", "comment", "reply", "answer")
_COMMERCE_WORDS = ("price", "cart", "basket", "buy", "sku", "variant")
#: A counted word, whole: a run of ``a``-``z`` in the lower-cased class names.
_COUNTED_WORD = re.compile(
    r"(?<![a-z])(?:" + "|".join(_POST_WORDS + _COMMERCE_WORDS) + r")(?![a-z])"
)


def classify_signals(signals: Signals) -> PageType:
    """The page type the signals point to (see the module docstring for the order)."""
    ld, og, path, host = signals.ld_types, signals.og_type, signals.path, signals.host
    if _OTHER_PATH.search(path):
        return PageType.OTHER
    if ld & _LD_FORUM:
        return PageType.FORUM
    if ld & _LD_DOCS:
        return PageType.DOCUMENTATION
    if ld & _LD_COLLECTION or og in _OG_COLLECTION:
        return PageType.COLLECTION
    if ld & _LD_ARTICLE:
        return PageType.ARTICLE
    if (ld & _LD_PRODUCT or og in _OG_PRODUCT) and not _COLLECTION_PATH.search(path):
        return PageType.PRODUCT
    if (
        _FORUM_PATH.search(path)
        or _FORUM_QUERY.search(signals.query)
        or (_FORUM_HOST.match(host) and signals.post_blocks >= 10)
    ):
        return PageType.FORUM
    if not _DATED_PATH.search(path) and (
        _DOCS_HOST.search(host)
        or _DOCS_SECTION.search(path)
        or (_DOCS_PATH.search(path) and signals.code_blocks >= 1)
    ):
        return PageType.DOCUMENTATION
    # a page that calls itself an article (og:type) outweighs a product-like path (``/p/slug``)
    if _PRODUCT_PATH.search(path) and og != "article":
        return PageType.PRODUCT
    if _COLLECTION_PATH.search(path):
        return PageType.COLLECTION
    if _service_home(signals):
        return PageType.SERVICE
    if _LISTING_PATH.search(path) or path.strip("/") == "":
        return PageType.LISTING
    if signals.cards >= LISTING_CARDS and og != "article":
        return PageType.LISTING
    if _SERVICE_PATH.search(path):
        return PageType.SERVICE
    return PageType.ARTICLE


def _declared_article(signals: Signals) -> bool:
    return bool(signals.ld_types & _LD_ARTICLE) or signals.og_type == "article"


#: A page no signal claimed, with at least this many subheadings (``h2``–``h6``) and not one
#: paragraph of ``LONG_PARAGRAPH`` characters (about 40 words), is a stack of short sections: a
#: service page's shape (hero, features, steps, plans), read whole by the sections profile.
#: Chosen on the even-numbered WCXB development pages as the largest gain that costs no article
#: (8 or 10 headings alike; 3 to 6 moved five articles, one paragraph allowed thirteen), checked
#: on the odd ones (docs/extraction.md, "Routing").
SECTION_HEADINGS = 8
LONG_PARAGRAPH = 250
_SUBHEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _short_sections(tree: HtmlElement) -> bool:
    """At least ``SECTION_HEADINGS`` subheadings and no long paragraph. Linear in the page: the
    headings are counted until there are enough, the paragraphs read until a long one."""
    headings = tree.iter(_SUBHEADINGS)
    if next(islice(headings, SECTION_HEADINGS - 1, None), None) is None:
        return False
    return not any(len(p.text_content().strip()) >= LONG_PARAGRAPH for p in tree.iter("p"))


def _unclaimed_type(signals: Signals, tree: HtmlElement, reading: GridReading) -> PageType:
    """The type of an undeclared page that no signal claimed: a card grid that is the page
    (``profile_cards.is_card_page``) is a listing, short sections are a service, anything else
    an article. Read only for such pages."""
    if _declared_article(signals):
        return PageType.ARTICLE
    if is_card_page(reading.grid):
        return PageType.LISTING
    if _short_sections(tree):
        return PageType.SERVICE
    return PageType.ARTICLE


#: A listing whose class names mention prices, a cart or a basket this many times sells what it
#: lists: a collection (on the WCXB development pages, 15 collections taken for listings and
#: 2 listings taken for collections at 3; 14 and 2 at 5).
COLLECTION_COMMERCE = 3


def _listing_or_collection(signals: Signals, page_type: PageType) -> PageType:
    """A listing that sells is a collection (both share one extraction profile)."""
    if page_type is PageType.LISTING and signals.commerce >= COLLECTION_COMMERCE:
        return PageType.COLLECTION
    return page_type


def _product_on_category_path(signals: Signals, page_type: PageType) -> bool:
    """A page that declares a product (JSON-LD) read as a collection (a category-like path,
    ``/shop/<a>/<b>/``, or a declared catalog): a shop's product page, or a category whose
    cards declare their products (``names_its_product`` tells them apart)."""
    return page_type is PageType.COLLECTION and bool(signals.ld_types & _LD_PRODUCT)


def classify(tree: HtmlElement, url: str | None, reading: GridReading | None = None) -> PageType:
    """The page type of the parsed page ``tree`` (read, not modified) at ``url``; ``reading``
    keeps the card grid it may read for the listing profile."""
    signals = read_signals(tree, url)
    page_type = classify_signals(signals)
    if _product_on_category_path(signals, page_type) and names_its_product(tree):
        return PageType.PRODUCT
    if page_type is PageType.ARTICLE:
        page_type = _unclaimed_type(signals, tree, grid_reading(tree, reading))
    return _listing_or_collection(signals, page_type)
