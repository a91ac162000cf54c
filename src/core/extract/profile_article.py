"""The article profile: trafilatura's text, a recall pass where the body lost its lists, no repeats.

trafilatura's balanced extraction (``core.extract.text``) sometimes settles on a small part of
an article and rebuilds the rest from its stray ``<p>`` elements: the article's lists (steps,
pros and cons, key facts) are then lost, because that recovery searches paragraphs only, while
the same recovery in trafilatura's recall mode also takes lists and ``<div>`` text. A recall
pass on every page would cost 60% of an extraction again, so it runs only where the page shows
the loss (``lost_list_chars``): list items of prose (not links) whose list stands beside a
paragraph that was extracted, but which are missing from the text — or where there is no text.
The recall text is kept when it is clearly longer (``RECALL_GAIN``).

Then a paragraph repeated word for word (a page that carries its article twice, a print or an
accordion copy) is kept once (``without_repeats``).

Measured on the 793 WCXB development articles (``python -m bench.pagetypes --types article``);
the thresholds were chosen on the even-numbered pages and checked on the odd ones
(docs/extraction.md).
"""

from __future__ import annotations

import logging
import re

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from core.extract.text import main_content, main_text

logger = logging.getLogger(__name__)

_RECALL = Extractor(output_format="python", comments=False, dedup=False, recall=True, fast=True)
_WORDS = re.compile(r"\w+")
#: Lists that stand beside a paragraph (or hold one): where an article's lists are.
_BODY_LISTS = etree.XPath("//ul[../p]|//ol[../p]")

#: The recall pass runs when the lost list text is over this share of the text's length (on
#: the even WCXB pages: 0.1 gained the same with 12% more recall passes, 0.02 and 0.05 a tenth
#: more at 1.9 and 1.5 times the passes, 0.2 lost a sixth of the gain).
LOST_SHARE = 0.15
#: ... and its text is kept when it is longer than the balanced one by this factor (even pages:
#: 1.05 and 1.1 equal, 1.2 lost a tenth of the gain; the longer text must add, not just differ).
RECALL_GAIN = 1.1
#: A list item counts with at least this many words (shorter ones are menus and tags; words
#: as spaces separate them).
MIN_ITEM_WORDS = 4
#: A paragraph proves its container was extracted with at least this many characters.
MIN_PROOF_CHARS = 40
#: At most this many paragraphs and list items are compared with the text per page (bounded
#: work on hostile pages: the largest of the 1,497 shared WCXB pages has 1,777 ``<li>``).
MAX_READS = 5_000
#: A repeated paragraph is dropped from this many words on (even pages: 8 words gained as much
#: on pages carrying their text twice but dropped real short repeats, such as "Pros" lists).
MIN_REPEAT_WORDS = 12


def _plain(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def lost_list_chars(tree: HtmlElement, text: str) -> int:
    """Characters of prose list items missing from ``text`` whose list stands beside a
    paragraph that ``text`` holds (the article's own lists, not menus)."""
    lists = _BODY_LISTS(tree)
    if not lists:
        return 0
    flat = " ".join(text.split())
    proven: dict[HtmlElement, bool] = {}
    lost = 0
    budget = MAX_READS
    for items in lists:
        parent = items.getparent()
        if parent not in proven:
            paragraphs = list(parent.iterchildren("p"))[:budget]
            budget -= len(paragraphs)
            proven[parent] = any(
                len(line) >= MIN_PROOF_CHARS and line in flat for line in map(_plain, paragraphs)
            )
        if not proven[parent]:
            continue
        for item in items.iterchildren("li"):
            budget -= 1
            if budget < 0:
                return lost
            line = _plain(item)
            if line.count(" ") < MIN_ITEM_WORDS - 1 or line in flat:
                continue
            linked = sum(len(link.text_content()) for link in item.iter("a"))
            if linked <= len(line) / 2:
                lost += len(line)
    return lost


def _recall_text(tree: HtmlElement, url: str | None) -> str:
    content = main_content(tree, url, _RECALL)
    return "" if content is None else str(xmltotxt(content[0], _RECALL.formatting))


def without_repeats(text: str) -> str:
    """``text`` with each paragraph of ``MIN_REPEAT_WORDS`` words or more kept once."""
    lines = text.split("\n")
    keys = [line.strip() for line in lines]
    if len(set(keys)) == len(keys):  # nothing repeats: most pages
        return text
    seen: set[str] = set()
    kept = []
    for line, key in zip(lines, keys, strict=True):
        if key in seen:
            continue
        if len(_WORDS.findall(key)) >= MIN_REPEAT_WORDS:
            seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def article_text(tree: HtmlElement, url: str | None) -> str | None:
    """The main text of an article page (``tree`` is pruned by trafilatura and so spent)."""
    text = main_text(tree, url) or ""
    # also where the balanced pass found nothing (on the even pages a text under 1,000
    # characters gained nothing more from it; on the odd ones 0.0015 of mean F1)
    if not text or lost_list_chars(tree, text) > LOST_SHARE * len(text):
        # the balanced pass only prunes comment sections in place: the tree still holds the body
        recalled = _recall_text(tree, url)
        if len(recalled) > RECALL_GAIN * len(text):
            logger.debug(
                "recall pass kept for %s: %d > %d characters", url, len(recalled), len(text)
            )
            text = recalled
    return without_repeats(text) if text else None
