"""Product profile: trafilatura's text of a product page without what the shop adds around it.

trafilatura keeps a product's title, price, description and specifications, and with them the
sections a shop puts after the product: "customers also viewed" and "you may also like"
carousels, sponsored items, and the customer reviews (the text a reader wants is the
product's, not the other products' or the buyers'; on most WCXB development product pages the
annotated text leaves reviews out). Those sections open with a heading, so the profile reads
trafilatura's output tree (flat: headings, paragraphs, lists, tables) and drops each such
heading (never the page's ``h1``, its title) with the blocks after it, up to the next heading
of its level; and it drops a block whose text repeats one already kept (shops render one
description for phones and one for desktops).

Pruning those sections from the page before trafilatura runs was tried and not kept:
trafilatura then often chose another block as the main content (docs/extraction.md).
The description and specifications declared in JSON-LD are added afterwards
(``core.extract.profiles.with_declared``).
"""

from __future__ import annotations

import logging
import re

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.xml import xmltotxt

from core.extract.text import main_content

logger = logging.getLogger(__name__)

#: A heading that opens a section about other products or about the buyers, not this product.
_OTHER_SECTION = re.compile(
    r"also (viewed|bought|like|liked|purchased)|you (may|might) (also )?(like|love)"
    r"|related (products|items)|recommended (for you|products|items)|similar (items|products)"
    r"|recently viewed"
    r"|frequently bought|customers who|sponsored|complete the look|more from this"
    r"|explore more|more items|shop similar|people also|reviews?\b",
    re.IGNORECASE,
)
#: A heading longer than this is content that uses those words, not a section title (the
#: longest such titles on the development product pages, "People who viewed this item also
#: viewed", have 39 characters; sentences that mention reviews run to 60 and more).
MAX_HEADING_CHARS = 60
#: A repeated block of fewer words ("Add to cart", a size) may repeat on purpose: kept.
MIN_REPEATED_WORDS = 3


def _words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _level(heading: etree._Element) -> int:
    """The heading's level (trafilatura keeps ``h1``…``h6`` as ``rend``; 2 if it does not)."""
    rend = heading.get("rend") or ""
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1] in "123456" else 2


def drop_other_sections(body: etree._Element) -> None:
    """Remove from trafilatura's output ``body`` each heading of another products' or of the
    reviews' section with the blocks up to the next heading of its level or above (each
    review's own title is a lower one), and every repeated block."""
    dropping = 0  # the level of the heading whose section is being dropped; 0: none
    seen: set[str] = set()
    for block in list(body):  # one pass over the top-level blocks
        text = _words(block)
        if block.tag == "head" and (not dropping or _level(block) <= dropping):
            # an h1 is the page's own title, whatever it says
            other = (
                _level(block) > 1
                and len(text) <= MAX_HEADING_CHARS
                and bool(_OTHER_SECTION.search(text))
            )
            dropping = _level(block) if other else 0
        key = text.casefold()
        if dropping or (key in seen and len(text.split()) >= MIN_REPEATED_WORDS):
            body.remove(block)
        else:
            seen.add(key)


def product_text(tree: HtmlElement, url: str | None) -> str | None:
    """trafilatura's text of the product page ``tree`` (which it prunes and so spends) without
    the other products, the reviews and repeated blocks."""
    content = main_content(tree, url)
    if content is None:
        return None
    body, _ = content
    drop_other_sections(body)
    # plain text, as core.extract.text.main_text writes it (no formatting marks)
    return str(xmltotxt(body, False)) or None
