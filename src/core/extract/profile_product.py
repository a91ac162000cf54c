"""Product profile: trafilatura's text of a product page without what the shop adds around it.

trafilatura keeps a product's title, price, description and specifications, and with them the
sections a shop puts after the product: "customers also viewed" and "you may also like"
carousels, sponsored items, the customer reviews, the shop's shipping and returns terms (the
text a reader wants is the product's, not the other products' or the buyers'; on most WCXB
development product pages the annotated text leaves reviews out). Those sections open with a
heading, so the profile reads trafilatura's output tree (flat: headings, paragraphs, lists,
tables) and drops each such heading (never the page's ``h1``, its title) with the blocks after
it, up to the next heading of its level; and it drops a block whose text repeats one already
kept (shops render one description for phones and one for desktops).

It also drops the blocks of the page's dialogs — cookie and consent banners, sign-up and
store-picker pop-ups: elements whose ARIA role is ``dialog`` or whose class or id names a
cookie, consent or GDPR banner — and, read the same way, of the buyers' reviews widget and the
page's footer (a class or id with the word ``reviews`` or ``footer``: a widget without a
heading of its own; trafilatura drops most footers itself, not all). Their texts are read before
trafilatura runs (it keeps no trace of where a block came from) and a block of trafilatura's
output (or an item of its lists and tables) of at least ``MIN_DIALOG_WORDS`` words whose
text is one of them leaves, and so do shorter ones four or more in a row (a settings panel's
labels). Cookie and browser notices drawn in markup that names none are
told by their words (``_NOTICE``) and leave too, unless the page would then hold too few words
to be kept. Last, the product's name (the page's first ``h1``) goes first when trafilatura
dropped it, and stays alone when nothing else is left.

Pruning those sections from the page before trafilatura runs was tried and not kept:
trafilatura then often chose another block as the main content (docs/extraction.md).
The description and specifications declared in JSON-LD are added afterwards
(``core.extract.profiles.with_declared``), and so is the text of hidden tab panels and closed
accordions (``hidden_panels``: trafilatura drops hidden elements) that trafilatura lacks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.xml import xmltotxt

from core.extract.text import main_content
from core.extract.textstats import MIN_ARTICLE_WORDS, at_least_words, folded, lower_words

logger = logging.getLogger(__name__)

#: A heading that opens a section about other products or about the buyers, not this product.
_OTHER_SECTION = re.compile(
    r"also (viewed|bought|like|liked|purchased)|you (may|might) (also )?(like|love)"
    r"|related (products|items)|recommended (for you|products|items)|similar (items|products)"
    r"|recently viewed"
    r"|frequently bought|customers who|sponsored|complete the look|more from this"
    r"|explore more|more items|shop similar|people also|reviews?\b"
    r"|shipping (?:&|and) returns|returns (?:&|and) exchanges",
    re.IGNORECASE,
)
#: A heading longer than this is content that uses those words, not a section title (the
#: longest such titles on the development product pages, "People who viewed this item also
#: viewed", have 39 characters; sentences that mention reviews run to 60 and more).
MAX_HEADING_CHARS = 60
#: A repeated block of fewer words ("Add to cart", a size) may repeat on purpose: kept.
MIN_REPEATED_WORDS = 3

#: A dialog: its ARIA role, or a class or id naming a cookie or consent banner (as a substring:
#: ``cookieMessage``, ``gdpr-banner``, ``onetrust-consent-sdk``).
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
_DIALOG_NAMES = re.compile(r"cookie|consent|gdpr|onetrust")
#: Blocks read as a dialog's although no pop-up: the buyers' reviews list and the page's footer,
#: named so by a word of a class or id (``product-reviews``, ``reviewsList``, ``site-footer``,
#: ``pageFooter``; trafilatura drops most footers itself, not all). Only the plural: a singular
#: ``review`` names one review, or a tab of the product's own description (docs/extraction.md).
_ASIDE_NAMES = re.compile(r"(?:(?<![A-Za-z])r|R)eviews(?![a-z])|(?:(?<![A-Za-z])f|F)ooter(?![a-z])")
#: The elements a dialog is drawn in (lxml filters these tags in C: a third of a walk's time).
_CONTAINERS = ("div", "section", "aside", "dialog", "form")
#: A dialog holding more than this share of the page's text is the page (a wrapper), not a pop-up.
DIALOG_SHARE = 0.5
#: A block of fewer words ("Close", "Accept", a size) may be the page's too: kept.
MIN_DIALOG_WORDS = 5
#: Characters of dialog text measured per page at most (each element's text within a dialog is
#: measured, so nested wrappers cost their depth times their text; the 144 WCXB development
#: pages read as products keep at most 440,000 characters of such texts, a consent manager's
#: nested panels): bounded work on a hostile page.
MAX_DIALOG_CHARS = 2_000_000
#: Dialogs read per page at most, in document order, a dialog inside one read before not counted
#: (bounded work on a hostile page; the 144 WCXB development pages read as products have at
#: most 40 such outermost dialogs, reviews and footers included).
MAX_DIALOGS = 200
#: A cookie or browser notice, told by what it says (for the banners whose markup names no
#: cookie, consent or dialog): "we use cookies", "iFixit uses cookies", "Manage Cookie
#: Preferences", "Customize Your Cookie Settings", "Please update your browser", "This browser
#: does not support the HTML5 video element". Not a product's own words about cookies
#: ("Flavor: Cookies & Cream"): on the 112 WCXB development pages read as products every block
#: it matches is outside the annotated text (5 pages, 2 of them even-numbered).
_NOTICE = re.compile(
    r"\b(?:use|uses|using) cookies\b|\bcookies? (?:settings|preferences|policy|use)\b"
    r"|\baccept (?:all )?cookies\b|\b(?:update|upgrade) your browser\b"
    r"|\bbrowser does(?: not|n't) support\b",
    re.IGNORECASE,
)
#: A notice is a few sentences: a longer block that says so is the page's content.
MAX_NOTICE_WORDS = 80
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})
#: A product's name is a line: a longer ``h1`` is a block of text, not a name.
MAX_TITLE_CHARS = 200


def _words(element: etree._Element) -> str:
    return folded("".join(element.itertext()))


def _level(heading: etree._Element) -> int:
    """The heading's level (trafilatura keeps ``h1``…``h6`` as ``rend``; 2 if it does not)."""
    rend = heading.get("rend") or ""
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1] in "123456" else 2


def _folded(text: str) -> str:
    return folded(text).casefold()


def _is_dialog(element: HtmlElement) -> bool:
    attributes = element.attrib
    role, names, key = attributes.get("role"), attributes.get("class"), attributes.get("id")
    return bool(
        (role and role.lower() in _DIALOG_ROLES)
        or (names and (_DIALOG_NAMES.search(names.lower()) or _ASIDE_NAMES.search(names)))
        or (key and (_DIALOG_NAMES.search(key.lower()) or _ASIDE_NAMES.search(key)))
    )


def dialog_texts(tree: HtmlElement) -> frozenset[str]:
    """The folded text of every element inside the page's dialogs (``tree`` is read, not
    modified): one pass over the containers (their tags filtered by lxml, in C), then each
    dialog's elements, the text measured at most ``MAX_DIALOG_CHARS``. A dialog inside one
    already read (a reviews widget names every part of itself so) is skipped: each element is
    read once."""
    body = tree.find("body")
    total = -1  # the page's text length, measured at the first dialog
    budget = MAX_DIALOG_CHARS
    found: set[str] = set()
    covered: set[HtmlElement] = set()  # the elements of the dialogs read so far
    dialogs = 0
    for dialog in tree.iter(_CONTAINERS):
        if dialog in covered or not _is_dialog(dialog):
            continue
        dialogs += 1
        if dialogs > MAX_DIALOGS:
            break
        if total < 0:
            total = len((tree if body is None else body).text_content())
        if len(dialog.text_content()) > DIALOG_SHARE * total:
            covered.update(dialog.iter())  # the page's wrapper: neither it nor its dialogs
            continue
        for inner in dialog.iter():
            if budget <= 0:
                return frozenset(found)
            covered.add(inner)
            if isinstance(inner.tag, str) and inner.tag not in _NOT_TEXT:
                text = inner.text_content()
                budget -= len(text)
                if folded := _folded(text):
                    found.add(folded)
    return frozenset(found)


def too_short(text: str | None) -> bool:
    """Whether ``text`` has fewer words than the pipeline keeps (``MIN_ARTICLE_WORDS``)."""
    return not text or not at_least_words(text, MIN_ARTICLE_WORDS)


def _in_dialog(element: etree._Element, dialogs: frozenset[str]) -> bool:
    text = _folded("".join(element.itertext()))
    return len(text.split()) >= MIN_DIALOG_WORDS and text in dialogs


def _notice(element: etree._Element) -> bool:
    text = _words(element)
    return len(text.split()) <= MAX_NOTICE_WORDS and _NOTICE.search(text) is not None


def _drop_blocks(body: etree._Element, leaves: Callable[[etree._Element], bool]) -> bool:
    """Remove from trafilatura's output ``body`` each block, list item or table row for which
    ``leaves`` holds; a list or table left empty leaves too. Whether any left."""
    dropped = False
    for block in list(body):
        if block.tag in ("list", "table"):
            for item in list(block):
                if leaves(item):
                    block.remove(item)
                    dropped = True
            if not len(block):
                body.remove(block)
        elif leaves(block):
            body.remove(block)
            dropped = True
    return dropped


def drop_notices(body: etree._Element) -> bool:
    """Remove from trafilatura's output ``body`` each block, list item or table row of at most
    ``MAX_NOTICE_WORDS`` words that is a cookie or browser notice (``_NOTICE``); a list or
    table left empty leaves too. Whether any left."""
    return _drop_blocks(body, _notice)


def drop_dialogs(body: etree._Element, dialogs: frozenset[str]) -> None:
    """Remove from trafilatura's output ``body`` each block, list item or table row whose
    text is a dialog's (``dialog_texts``) of ``MIN_DIALOG_WORDS`` or more, and the runs of
    shorter ones (``drop_dialog_runs``); a list or table left empty leaves too."""
    if dialogs:
        _drop_blocks(body, lambda element: _in_dialog(element, dialogs))
        drop_dialog_runs(body, dialogs)


#: A dialog's short lines (a settings panel's "Privacy Settings", "Always on", "Site
#: customization"; a size chart's numbers) leave when at least this many consecutive blocks of
#: trafilatura's output are each a dialog's text: one such line alone ("Close", a size) may be
#: the product's. Chosen on the even-numbered WCXB development pages read as products (runs of
#: 2, 3, 4 and 5 blocks: summed F1 +0.022, +0.029, +0.035, +0.035), checked on the odd ones
#: (+0.128 at 4; docs/extraction.md).
MIN_DIALOG_RUN = 4


def drop_dialog_runs(body: etree._Element, dialogs: frozenset[str]) -> None:
    """Remove from trafilatura's output ``body`` each run of at least ``MIN_DIALOG_RUN``
    consecutive top-level blocks (not lists or tables) whose texts, however short, are a
    dialog's (``dialog_texts``)."""
    run: list[etree._Element] = []
    for block in [*body, None]:  # None ends the last run
        if block is not None and block.tag not in ("list", "table"):
            text = _folded("".join(block.itertext()))
            if text and text in dialogs:
                run.append(block)
                continue
        if len(run) >= MIN_DIALOG_RUN:
            for member in run:
                body.remove(member)
        run = []


def title_line(tree: HtmlElement) -> str:
    """The text of the page's first ``h1`` with words (the product's name), without the text
    of the styles and scripts some shops render inside it; "" when none or too long."""
    for h1 in tree.iter("h1"):
        parts = [h1.text or ""]
        for element in h1.iterdescendants():
            if element.tag not in _NOT_TEXT:
                parts.append(element.text or "")
            parts.append(element.tail or "")
        text = folded("".join(parts))
        if text:
            return text if len(text) <= MAX_TITLE_CHARS else ""
    return ""


def with_title(text: str | None, title: str) -> str | None:
    """``text`` with ``title`` as its first line when it lacks any of its words."""
    if not text or not title or set(lower_words(title)) <= set(lower_words(text)):
        return text
    return f"{title}\n{text}"


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


#: A tab panel or an accordion's part, named so by its class or id (``tab-pane``,
#: ``tabs-content-panel``, ``accordion-item``, ``collapse``) or its ARIA role ``tabpanel``.
_PANEL_NAMES = re.compile(r"tab-?pane|tab-?panel|tabs?-content|accordion|collaps", re.IGNORECASE)
#: The elements a page hides until clicked: trafilatura drops them, shown or not.
_HIDDEN = etree.XPath(
    ".//*[@hidden or @aria-hidden='true'"
    " or contains(@style, 'display:none') or contains(@style, 'display: none')]"
)


def _panel(element: HtmlElement | None) -> bool:
    if element is None or not isinstance(element.tag, str):
        return False
    get = element.get
    names = f"{get('class') or ''} {get('id') or ''}"
    return (get("role") or "").lower() == "tabpanel" or _PANEL_NAMES.search(names) is not None


#: A panel whose links hold more than this share of its text is a menu (a footer's or the
#: site's navigation folded into an accordion), not the product's text. On the WCXB development
#: product pages 0.3, 0.5 and 0.7 score the same (even and odd halves; docs/extraction.md).
MAX_PANEL_LINK_SHARE = 0.5


def _menu(element: HtmlElement) -> bool:
    total = len(element.text_content())
    linked = sum(len(link.text_content()) for link in element.iter("a"))
    return linked > MAX_PANEL_LINK_SHARE * total


def _other_heading(line: str) -> bool:
    """Whether ``line`` (a section's first) titles a section about other products or the
    buyers, or the shop's terms (``_OTHER_SECTION``)."""
    return len(line) <= MAX_HEADING_CHARS and _OTHER_SECTION.search(line) is not None


def hidden_panels(tree: HtmlElement) -> list[str]:
    """The texts of the hidden tab panels and closed accordion parts of ``tree`` (a hidden
    element that is, or is the child of, a panel: ``_panel``), one line per text node, the
    outermost only: trafilatura drops hidden elements, and shops keep a product's description
    and specifications there. ``tree`` is read, not modified."""
    texts: list[str] = []
    inside: set[HtmlElement] = set()
    for element in _HIDDEN(tree):
        if element in inside or not (_panel(element) or _panel(element.getparent())):
            continue
        inside.update(element.iter())
        if _menu(element):
            continue
        lines = [
            line
            for node in element.xpath(".//text()[not(ancestor::script or ancestor::style)]")
            if (line := folded(str(node)))
        ]
        text = "\n".join(lines)
        if lines and not (_other_heading(lines[0]) or _NOTICE.search(text)):
            texts.append(text)
    return texts


def product_text(tree: HtmlElement, url: str | None) -> str | None:
    """trafilatura's text of the product page ``tree`` (which it prunes and so spends) without
    the other products, the reviews, repeated blocks, the dialogs' text and notices, the
    product's name first (alone when nothing else is left)."""
    title = title_line(tree)  # both read before trafilatura prunes the tree
    dialogs = dialog_texts(tree)
    content = main_content(tree, url)
    if content is None:
        return None
    body, _ = content
    found = len(body) > 0
    drop_other_sections(body)  # first: a dialog's heading must not end a dropped section
    drop_dialogs(body, dialogs)
    # plain text, as core.extract.text.main_text writes it (no formatting marks)
    text = str(xmltotxt(body, False)) or None
    if drop_notices(body):
        without = str(xmltotxt(body, False)) or None
        if not too_short(with_title(without, title)):
            text = without  # else the page would be refused as empty: the notice stays
    if text is None and found:  # all of trafilatura's text was dropped: the name stays
        return title or None
    return with_title(text, title)
