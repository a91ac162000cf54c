"""The article profile: trafilatura's text, lists it lost; no repeats, closing blocks or controls.

trafilatura's balanced extraction (``core.extract.text``) sometimes settles on a small part of
an article and rebuilds the rest from its stray ``<p>`` elements: the article's lists (steps,
pros and cons, key facts) are then lost, because that recovery searches paragraphs only, while
the same recovery in trafilatura's recall mode also takes lists and ``<div>`` text. A recall
pass on every page would cost 60% of an extraction again, so it runs only where the page shows
the loss (``lost_list_chars``): list items of prose (not links) whose list stands beside a
paragraph that was extracted, but which are missing from the text — or where there is no text.
The recall text is kept when it is clearly longer (``RECALL_GAIN``).

Then a paragraph repeated word for word (a page that carries its article twice, a print or an
accordion copy) is kept once (``without_repeats``), and the blocks pages put after the article
are cut from its end (``without_closing``): a closing heading (share, about the author, a
newsletter or comment form) and what follows it, a heading over teasers of other pages
(related posts, tags) followed by short lines only, and the lines widgets print at the end.
Last, the lines that are a page's controls or labels (``without_controls``: a button, a table of
contents' heading, a reading time, a "Related: <title>" teaser) are dropped wherever they stand.

Measured on the 793 WCXB development articles (``python -m bench.pagetypes --types article``);
the thresholds were chosen on the even-numbered pages and checked on the odd ones
(docs/extraction.md).
"""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from core.extract.loading import TOP_LEVEL
from core.extract.profile_sections import (
    CHROME_SHARE,
    body_chars,
    chrome_share,
    more_complete,
    section_lines,
)
from core.extract.text import main_content, main_text
from core.extract.textstats import at_least_words, folded, word_count

logger = logging.getLogger(__name__)

_RECALL = Extractor(output_format="python", comments=False, dedup=False, recall=True, fast=True)

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

#: A heading that ends the article: what follows is about the site or the author, not the
#: article (trafilatura keeps these blocks when their class names do not give them away).
_CLOSING = re.compile(
    r"share(?: this)?(?: (?:post|article|story|page|blog))?(?: on)?"
    r"|about the (?:author|reviewer|writer|expert)s?"
    r"|(?:sign up|subscribe)(?: (?:to|for) (?:our|the) newsletter)?|(?:join our )?newsletter"
    r"|leave a (?:reply|comment)|comments?|media contacts?"
    r"|discover more from .+|follow (?:us|me)(?: on .+)?"
    r"|contact (?:us|info|information)|get in touch|share your \w+(?: \w+)?"
    r"|rate this (?:article|post)|was this (?:article|page|post) (?:helpful|useful)\??"
)
#: A heading over teasers of other pages: it ends the article when only titles follow it.
_TEASERS = re.compile(
    r"related(?: (?:posts?|articles?|reads?|stories|content|reading|news|links|topics"
    r"|guides|resources))?"
    r"|(?:you (?:may|might) )?also (?:like|enjoy|be interested in)"
    r"|if you (?:liked|enjoyed) this (?:post|article),? you (?:may|might) also (?:like|enjoy)"
    r"|related (?:posts|articles) (?:that )?(?:may|might) interest you|other posts"
    r"|more (?:from \S+(?: \S+)?|like this|stories|articles|news|posts|to explore|reading)"
    r"|explore more(?: .+)?|keep reading|up next|(?:what to )?read (?:this )?next"
    r"|read (?:more|also)|also read|further reading|recommended(?: for you| reading)?"
    r"|(?:popular|recent|latest) (?:posts?|articles?|stories)|tags?|topics|filed under|categories"
)
#: A line a widget prints after the article (a form's status messages, an ad's label, the
#: copyright line, a call to action).
_WIDGET_LINE = re.compile(
    r"thank you!? your submission has been received!?|oops!? something went wrong.*"
    r"|(?:skip )?advertisement|back to top|pin (?:it )?for later"
    r"|(?:copyright|©)(?: ©)? \d{4}.*|.* all rights reserved.*"
    r"|(?:book|request|schedule) a demo|download now"
    r"|start (?:a|your) free trial|free \d+-day trial.*"
)
_DECORATION = "-*•–—#:.!| \t"
#: A line that is a page's control or label, wherever it stands in the text: a button ("Learn
#: more", "Book a demo"), a table of contents' heading (its entries are the article's own
#: headings), a reading time, a share or byline label.
_CONTROL_LINE = re.compile(
    r"(?:request|book|schedule|get) (?:a |your )?(?:free )?(?:demo|quote|consultation)"
    r"(?: today| now)?|get started(?: today| now| for free)?|(?:contact|call) us(?: today| now)?"
    r"|sign up(?: now| today| for free)?|subscribe(?: now| today)?|see more"
    r"|try (?:it )?(?:for )?free(?: today)?|download (?:now|the (?:guide|ebook|report))"
    r"|join (?:now|today)|read more|view more|show more|load more|continue reading"
    r"|(?:table of )?contents|in this (?:article|post|guide)|on this page|jump to(?: section)?"
    r"|\d+\+? (?:min|mins|minutes?)(?: read| reading(?: time)?)?|\d+ (?:min|mins|minutes?) to read"
    r"|(?:estimated )?reading time:? ?\d+ ?(?:min|mins|minutes?)(?: read)?"
    r"|back to (?:blog|all posts|articles|news|resources)|written by|posted (?:on|by)"
    r"|share(?: this (?:post|article|story))?|advertisement|sponsored|author"
)
#: ... at most this long (a button or a label, not a sentence; as ``MAX_HEADING_CHARS``) ...
MAX_CONTROL_CHARS = 60
#: A teaser of another page set in the article ("Related: <title>", "Also read: <title>").
_TEASER_LINE = re.compile(
    r"(?:related(?: (?:post|article|story|reading))?|also read|read (?:more|next|also)"
    r"|see also|must read)\s*:\s*\S.*",
    re.IGNORECASE,
)
#: ... at most this long (a label and one title: on the even WCXB pages read as articles the 45
#: such lines have at most 104 characters; a longer line is prose that starts with the label).
MAX_TEASER_LINE_CHARS = 150

#: Closing headings are looked for in this many last lines (even WCXB pages: 10 and 25
#: lines gained the same within 0.0002 of mean F1).
TAIL_LINES = 15
#: ... are at most this long (headings, not sentences) ...
MAX_HEADING_CHARS = 60
#: ... and a teaser heading ends the article only when no line after it has this many words
#: (titles, not prose: at 15 and 25 words a fifth of the gain was lost, and without the
#: limit "Related:" asides with paragraphs under them were cut).
TEASER_MAX_WORDS = 40
#: Nothing is cut when the cut would take more than this share of the text (a guard: on
#: the WCXB articles no cut took more than 30%).
TAIL_SHARE = 0.5
#: Widget lines (``_WIDGET_LINE``) are at most this long (a copyright line, not the legal
#: notice of a product whose rights it reserves).
MAX_WIDGET_CHARS = 200


def _plain(element: HtmlElement) -> str:
    return folded(element.text_content())


def body_lists(tree: HtmlElement) -> list[HtmlElement]:
    """The lists of ``tree``'s document that stand beside a paragraph (or hold one): where an
    article's lists are; in document order, as the XPath ``//ul[../p]|//ol[../p]`` finds them
    (in a quarter of its time: the XPath's union sorts, and each ``../p`` is a node set)."""
    tops = TOP_LEVEL(tree)
    top_paragraph = any(top.tag == "p" for top in tops)
    lists = []
    for top in tops:
        for element in top.iter("ul", "ol"):
            parent = element.getparent()
            if top_paragraph if parent is None else parent.find("p") is not None:
                lists.append(element)
    return lists


def lost_list_chars(tree: HtmlElement, text: str) -> int:
    """Characters of prose list items missing from ``text`` whose list stands beside a
    paragraph that ``text`` holds (the article's own lists, not menus)."""
    lists = body_lists(tree)
    if not lists:
        return 0
    flat = folded(text)
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
        if at_least_words(key, MIN_REPEAT_WORDS):
            seen.add(key)
        kept.append(line)
    return "\n".join(kept)


#: The page's sections replace a text of fewer than this many words ... (even-numbered WCXB
#: pages the classifier reads as articles: 500 gained a third less; 2,000 an eighth more for 1.5
#: times the walks, 357 pages of 932 against 233: over the speed budget) ...
SECTIONS_MAX_WORDS = 1_000
#: ... holding under this share of the characters of the page's ``<body>`` (even pages: 0.25
#: gained an eighth less, 0.4 the same for 1.2 times the walks, no limit 1.7 times) ...
SECTIONS_MAX_SHARE = 0.3
#: ... when the sections have this many times its words and cover it (``more_complete``; even
#: pages: 1.5 and 1.75 took sidebars and comments into articles, 2.5 gained 6% less).
SECTIONS_GAIN = 2


#: ... or this many times where the page declares no publication date (``dated``): a service
#: or product page read as an article, whose cards trafilatura dropped. Measured on the 929
#: WCXB pages read as articles (sections vs trafilatura's text, summed word F1; the date
#: signals chosen on the even pages, checked on the odd): 1.2 gained +0.13 articles / +0.72
#: other types on the even pages, -0.20 / +0.60 on the odd; 1.1 and 1.3 gained less; a
#: date test of one signal only (a ``<time>``, an author, ``og:type``) cost articles 0.5-1.1.
UNDATED_GAIN = 1.2
_DATED = (
    '//meta[@property="og:type"][@content="article"]'
    '|//meta[contains(@property, "published_time") or contains(@name, "date")]'
    '|//*[@itemprop="datePublished"]|//time'
)


def dated(tree: HtmlElement) -> bool:
    """Whether ``tree``'s page declares itself an article or its publication date: an
    ``og:type`` of article, a published-time or date ``<meta>``, a ``datePublished`` item or
    JSON-LD key, or a ``<time>`` element."""
    if tree.xpath(_DATED):
        return True
    scripts = tree.xpath('//script[@type="application/ld+json"]/text()')
    return any('"datePublished"' in script for script in scripts)


def sections_text(tree: HtmlElement, text: str) -> str | None:
    """The page's sections (``core.extract.profile_sections``) where ``text`` is a small part of
    them: trafilatura kept one block of a page of short sections (a service or product page, a
    listing, an article in parts) or where ``text`` is the page's chrome (a menu, pop-ups:
    ``profile_sections.chrome_share``), else None. The walk runs only on a short text that holds
    little of the page (``SECTIONS_MAX_WORDS``, ``SECTIONS_MAX_SHARE``). ``tree`` may have been
    through trafilatura, which prunes little of it (comment sections): on 922 of the 932 WCXB
    pages read as articles the walk reads the same text before and after."""
    if at_least_words(text, SECTIONS_MAX_WORDS):  # most articles: their words not all counted
        return None
    words = word_count(text)
    page_chars = body_chars(tree)  # the tree is only read from here on: measured once
    if len(text) >= SECTIONS_MAX_SHARE * page_chars:
        return None
    lines = section_lines(tree, body_length=page_chars)
    sections = "\n".join(lines)
    gained = word_count(sections)
    gain = SECTIONS_GAIN if gained < SECTIONS_GAIN * words and dated(tree) else UNDATED_GAIN
    if (gained < gain * words or not more_complete(sections, text)) and not (
        sections and chrome_share(tree, text, sections, page_chars) >= CHROME_SHARE
    ):
        return None
    return "\n".join(_closed(lines, text))


def _closed(lines: list[str], text: str) -> list[str]:
    """``lines`` up to the first closing or teaser heading (``_CLOSING``, ``_TEASERS``) after
    the last line they share with ``text``: the walk also reads what follows the article (its
    author, related posts), which trafilatura had left out (on the pages whose sections are
    taken, summed F1 +0.6 on the even pages, +0.3 on the odd; without the teaser headings the
    same on the even pages, nothing on the odd)."""
    kept = {folded(line) for line in text.split("\n")}
    shared = [index for index, line in enumerate(lines) if folded(line) in kept]
    if not shared:
        return lines
    for index in range(shared[-1] + 1, len(lines)):
        if len(lines[index]) > MAX_HEADING_CHARS:
            continue
        heading = _heading(lines[index])
        if _CLOSING.fullmatch(heading) or _TEASERS.fullmatch(heading):
            return lines[:index]
    return lines


def _heading(line: str) -> str:
    return folded(line.strip(_DECORATION)).lower()


def _short(line: str) -> bool:
    """Whether ``line`` has fewer than ``TEASER_MAX_WORDS`` words (a title, not prose); it
    splits off at most that many words, whatever the line's length."""
    return len(line.split(maxsplit=TEASER_MAX_WORDS)) < TEASER_MAX_WORDS


def without_closing(text: str) -> str:
    """``text`` without the blocks that follow an article on its page (``_CLOSING``,
    ``_TEASERS``, ``_WIDGET_LINE``), looked for in its last ``TAIL_LINES`` lines."""
    lines = text.rsplit("\n", TAIL_LINES)  # the rest of the text, then the last lines
    end = len(lines)
    # titles only after each line: one pass from the end, each line's words counted at most
    # once and only up to the limit (bounded work on a page of a few huge lines)
    titles_after = [True] * end
    for index in range(end - 2, 0, -1):
        titles_after[index] = titles_after[index + 1] and _short(lines[index + 1])
    for index in range(1, end):
        line = lines[index]
        if len(line) > MAX_HEADING_CHARS:
            continue
        heading = _heading(line)
        if _CLOSING.fullmatch(heading) or (_TEASERS.fullmatch(heading) and titles_after[index]):
            if sum(map(len, lines[index:])) <= TAIL_SHARE * len(text):
                end = index
            break
    while end > 1 and (
        not lines[end - 1].strip()
        or (
            len(lines[end - 1]) <= MAX_WIDGET_CHARS
            and _WIDGET_LINE.fullmatch(_heading(lines[end - 1]))
        )
    ):
        end -= 1
    return text if end == len(lines) else "\n".join(lines[:end])


def without_controls(text: str) -> str:
    """``text`` without its lines that are a page's controls or labels (``_CONTROL_LINE``) or
    teasers of other pages (``_TEASER_LINE``), wherever they stand."""
    lines = text.split("\n")
    kept = [
        line
        for line in lines
        if not (
            (len(line) <= MAX_CONTROL_CHARS and _CONTROL_LINE.fullmatch(_heading(line)))
            or (
                len(line) <= MAX_TEASER_LINE_CHARS
                and _TEASER_LINE.fullmatch(line.strip(_DECORATION))
            )
        )
    ]
    return text if len(kept) == len(lines) else "\n".join(kept)


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
    if not text:  # no text is no text (trafilatura gave up on the page): no walk either
        return None
    text = without_controls(without_closing(without_repeats(text)))
    sections = sections_text(tree, text)
    if sections is not None:
        logger.debug("sections of %s kept: trafilatura's text holds a small part", url)
        return without_controls(sections)
    return text
