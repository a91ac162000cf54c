"""Guided rendering: trafilatura's formatted main content, narrowed and completed to a text.

An Article's text comes from its page type's profile (``core.extract.profiles``): a thread's
posts, a product's declared specifications, a listing's cards, a service page's sections —
which trafilatura's own markdown and HTML lack — and without the blocks the profile cut (share
and related-posts blocks at an article's end, other products' carousels). ``guided_body``
rebuilds trafilatura's extracted body in the order of the text's lines:

- a block of the body (paragraph, heading, list, table, quote, code) most of whose lines the
  text holds is kept as trafilatura formatted it: links, images, emphasis; a list or table
  loses the items and rows the text does not hold;
- a line of the text that no kept block holds becomes a paragraph of its own: a heading when
  the page has a heading with exactly that text, a link when it has a link with exactly that
  text (a card's title);
- a block the text does not hold is left out, and an image (a block without text) goes with
  the block before it (the one after it, at the start).

With the text trafilatura itself extracts, the body comes back unchanged: the rendering is
``trafilatura.extract``'s (tests/unit/extract/test_guided.py).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from trafilatura.xml import xmltotxt

from core.extract.links import make_plain
from core.extract.textstats import folded
from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)

#: At most this many ``<a>`` and heading elements are read for cues (bounded work on hostile
#: pages; the WCXB development pages have at most a few thousand links).
MAX_CUES = 5_000
#: Link and heading texts longer than this are not cues (a card title is a line, not a page).
MAX_CUE_CHARS = 300
#: Blocks whose items are filtered one by one when the text holds only some of them.
_SPLIT_BLOCKS = {"list": "item", "table": "row"}
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def guide_text(title: str | None, text: str | None) -> str | None:
    """What a rendering of an Article holds: its text under its title (an article's title has
    its own field and left the text; a forum's posts or a product's text may not start with
    it), or None without text."""
    if not text:
        return None
    first = text.lstrip().partition("\n")[0]
    if title and folded(first).casefold() != folded(title).casefold():
        return f"{title}\n{text}"
    return text


@dataclass
class Cues:
    """What the page says a line is: headings (text → level) and links (text → URL)."""

    headings: dict[str, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


def page_cues(tree: etree._Element) -> Cues:
    """The page's headings and links by their text (read before trafilatura prunes the tree,
    after ``links.absolutize``: only http(s) links are left as ``<a href>``)."""
    cues = Cues()
    for seen, element in enumerate(tree.iter("a", *_HEADINGS)):
        if seen >= MAX_CUES:
            break
        text = folded(element.text_content()) if element.text is not None or len(element) else ""
        if not text or len(text) > MAX_CUE_CHARS:
            continue
        if element.tag == "a":
            href = element.get("href")
            if href:
                cues.links.setdefault(text, href)
        else:
            cues.headings.setdefault(text, int(element.tag[1]))
    return cues


def _lines(element: etree._Element) -> list[str]:
    """The element's plain text lines, as the Article's text has them (an image has none)."""
    if element.tag == "graphic":
        return []
    holder = etree.Element("body")  # ``make_plain`` unlinks a link inside, not the root itself
    holder.append(copy(element))
    text = str(xmltotxt(make_plain(holder), False))
    return [line for line in (folded(raw) for raw in text.splitlines()) if line]


@dataclass
class _Block:
    element: etree._Element
    lines: list[str]
    leaders: list[etree._Element] = field(default_factory=list)
    followers: list[etree._Element] = field(default_factory=list)


def _narrowed(block: _Block, wanted: Counter[str]) -> _Block | None:
    """The block as the text holds it: whole, without the items it lacks, or None."""
    present = sum(line in wanted for line in block.lines)
    if present * 2 <= len(block.lines):
        return None
    if present == len(block.lines) or block.element.tag not in _SPLIT_BLOCKS:
        return block
    child_tag = _SPLIT_BLOCKS[block.element.tag]
    for child in list(block.element):
        if child.tag == child_tag and not any(line in wanted for line in _lines(child)):
            block.element.remove(child)
    return _Block(block.element, _lines(block.element), block.leaders, block.followers)


def _blocks(elements: Iterable[etree._Element]) -> list[_Block]:
    """Text blocks, each with the text-less blocks (images) that go with it."""
    blocks: list[_Block] = []
    leading: list[etree._Element] = []
    for element in elements:
        lines = _lines(element)
        if lines:
            blocks.append(_Block(element, lines, leaders=leading if not blocks else []))
        elif blocks:
            blocks[-1].followers.append(element)
        else:
            leading.append(element)
    return blocks


def _paragraph(line: str, cues: Cues) -> etree._Element:
    """A line no block holds, as a paragraph (or heading), linked when the page links it."""
    key = folded(line)
    level = cues.headings.get(key)
    element = etree.Element("head" if level else "p")
    if level:
        element.set("rend", f"h{level}")
    href = cues.links.get(key)
    if href:
        etree.SubElement(element, "ref", target=href).text = line
    else:
        element.text = line
    return element


def guided_body(blocks_of: Iterable[etree._Element], text: str, cues: Cues) -> etree._Element:
    """A new ``body`` holding ``text``'s lines in order, formatted as trafilatura's blocks
    ``blocks_of`` (spent: they move to the new body) where they hold them."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    wanted = Counter(folded(line) for line in lines)
    kept = [
        block for block in (_narrowed(b, wanted) for b in _blocks(blocks_of)) if block is not None
    ]
    holders: defaultdict[str, deque[int]] = defaultdict(deque)
    for index, block in enumerate(kept):
        for line in block.lines:
            holders[line].append(index)
    body = etree.Element("body")
    placed: set[int] = set()
    for line in lines:
        queue = holders.get(folded(line))
        if not queue:
            body.append(_paragraph(line, cues))
            continue
        index = queue.popleft()
        if index not in placed:
            placed.add(index)
            block = kept[index]
            for element in (*block.leaders, block.element, *block.followers):
                body.append(element)
    return body
