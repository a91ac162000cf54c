"""Forum profile: a thread's posts in order — question and answers, opening post and replies.

trafilatura takes one block of a thread (often the first post or the last replies) and, with
comments included, whatever its comment search finds. A forum repeats one container per post
(``post``, ``message``, ``msg``, ``reply``, ``answer``… in its class), so the profile

1. groups the elements whose class names a post (a word of it, or a camel-case part:
   ``cPost``, ``ipsComment``), by tag and those class words, and those that declare a
   schema.org post type (``itemtype``: ``Comment``, ``Answer``…), by tag and that type,
   joins the groups that share a class name (an opening post drawn in a ``div`` among reply
   ``article``s, a highlighted answer) and keeps the group of two or more outermost
   containers with the most text (``thread_posts``);
2. writes each container's text in order, without what a reader does not read as the post:
   quotes of other posts (a ``blockquote`` that is no post's own text and names its author
   or carries a class) when the page shows the quoted text (a quote of a post on another
   page is the only copy of what the reply answers: it stays), signatures, vote counters,
   like/share/reply controls, tag lists, avatars, menus, the poster's panel but its first
   line (the name, not the rank or join date), and on a Q&A page the comments
   under each post, named so by their class (unless the posts ARE comments), then without
   the short lines that three posts or more print word for word (a status, a rank, "Report
   post"); a form's text stays (some forums draw each comment inside the form that edits
   it), its controls do not;
3. uses those posts when they hold most of trafilatura's own text (``COVERED_SHARE``) and are
   not much shorter (``LENGTH_SHARE``): the posts then are the thread, and trafilatura's text
   a part of it; otherwise the repeated containers were something else (a menu, related
   topics) and trafilatura's text with comments stands, without the lines of the page's
   dialogs (a consent manager's panels, which trafilatura keeps with comments included:
   ``core.extract.profile_product.dialog_texts``);
4. a page whose thread is drawn by scripts (the HTML holds a loading screen) gives no text or
   a line like "please enable JavaScript"; when that is shorter than the page's declared
   description (the opening post's first lines), posts longer than the description are the
   thread (trafilatura read a consent panel's headings), else the description is the text.

Calibrated on the WCXB development forum pages with an even number, checked on the odd ones
(docs/extraction.md has the numbers).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from itertools import islice

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.profile_product import MIN_DIALOG_WORDS, dialog_texts
from core.extract.text import main_text
from core.extract.textstats import folded, lower_words

logger = logging.getLogger(__name__)

#: A class word that names a post container (``message--post``, ``js-post``, ``postbit``…).
_POST_CLASS = re.compile(
    r"(?i:(?:^|[-_])(post|posts|message|msg|comment|reply|answer|question|postbit|entry)(?:$|[-_]|\d))"
    # or a capitalised part of a camel-case word (``cPost``, ``ipsComment``, ``lmgPost``)
    r"|(?<=[a-z])(Post|Posts|Message|Comment|Reply|Answer|Entry)(?:$|[-_A-Z]|\d)"
)
#: A schema.org type a page declares for each post (microdata ``itemtype``), as many forum
#: engines do whatever their class names.
_POST_ITEMTYPE = re.compile(
    r"schema\.org/(Comment|Answer|DiscussionForumPosting|SocialMediaPosting|Message)\b", re.I
)
_PARTS = re.compile(r"[-_\s]+")
#: Class or id words of the parts of a post that are not its content.
_NOT_CONTENT = frozenset(
    {
        "quote",
        "signature",
        "sig",
        "like",
        "likes",
        "reaction",
        "reactions",
        "share",
        "sharing",
        "avatar",
        "button",
        "btn",
        "buttons",
        "actions",
        "controls",
        "menu",
        "badge",
        "report",
        "social",
        "toolbar",
        "tag",
        "tags",
        "taglist",
    }
)
_NOT_QUOTE = _NOT_CONTENT - {"quote"}
#: Class or id words of a post's panel of who wrote it: only its first line, the name, is read
#: (not the rank, join date, post count, location). On the development forum pages, summed F1
#: gained: ``user`` even +0.14, odd +0.21; with ``author`` +0.13, +0.21; all five +0.23, +0.28
#: (22 pages up, 3 down: annotations that keep a rank).
_USER_PANEL = frozenset({"user", "userinfo", "author", "poster", "postprofile"})
_COMMENT_PARTS = frozenset({"comment", "comments"})
_SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "button",
        "nav",
        "aside",
        "noscript",
        "svg",
        "img",
        "input",
        "select",
        "textarea",
        "iframe",
        "template",
        "blockquote",
    }
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "tr",
        "table",
        "article",
        "section",
        "header",
        "footer",
        "dd",
        "dt",
        "dl",
    }
)
#: A class that names the post's own text (``messageText``, ``postcontent``, ``post-body``).
_POST_BODY = re.compile(r"(?i:message|post|content|text|body)")
#: Who a quote's first line says wrote it ("Anna wrote:", "On 3/5 Bob said:").
_ATTRIBUTION = re.compile(r"(?i:\b(wrote|said|writes|says)\s*:)")
#: The attribution is looked for in a bare quote's first text pieces and characters.
ATTRIBUTION_PIECES = 6
ATTRIBUTION_CHARS = 150
_CONTAINER_TAGS = ("div", "article", "li", "section", "tr", "table")
_NUMBER = re.compile(r"\d+")
_DESCRIPTION = etree.XPath(
    "//meta[@property='og:description' or @name='description' or @name='twitter:description']"
    "/@content"
)
#: At most this many post-like elements are looked at per page (the most on a development
#: page classified forum: 435). Bounded work on hostile pages: each is checked against its
#: ancestors (at most 255 deep in libxml2's trees) and each group's text is read once, so the
#: work is linear in the page times the nesting of the groups.
MAX_CANDIDATES = 5_000
#: The posts replace trafilatura's text when they hold at least this share of its words
#: (even development forum pages, in a prototype: 0.3 scored 0.752, 0.5 0.727, 0.8 0.709) …
COVERED_SHARE = 0.3
#: … and have at least this share of its length (0 to 0.5 scored the same, 0.9 0.743).
LENGTH_SHARE = 0.5
#: A line of at most this many words printed in at least ``REPEATED_POSTS`` posts is furniture
#: (even development forum pages, summed F1 gained: 3 words +0.07, 5 +0.09, 8 +0.29, 12 and
#: 20 +0.33; odd pages +0.34, +0.35, +0.42, +0.42; lines compared word for word) …
REPEATED_WORDS = 12
#: … (2 posts +0.29 on the even pages at 12 words, 3 +0.33, 4 +0.24: a user's name on two
#: of their posts is not furniture).
REPEATED_POSTS = 3
#: A quote is the only copy of what a reply answers (a post not on this page) unless half its
#: lines of at least this many words are in the page's posts (even development forum pages,
#: summed F1 gained over dropping every quote: 2 words -0.01, 3 +0.04, 4 +0.03, 6 +0.03; odd
#: pages +0.03, +0.09, +0.04, +0.04; shorter lines are "Bob said:", "Click to expand...").
QUOTED_LINE_WORDS = 4
#: A line of at most this many words is compared with its numbers aside ("Reply 7", "#3", a
#: score; the same 12 words and 3 posts, even pages: any length +0.35 more, 2 words +0.39,
#: 3 +0.29, 4 +0.30; odd +0.31, +0.26, +0.30, +0.30).
NUMBERED_WORDS = 2


def _named_not_content(element: HtmlElement, words: frozenset[str] = _NOT_CONTENT) -> bool:
    """Whether the element's class or id names a part of a post that is not its content
    (``words``, or a word that starts with ``vote``)."""
    classes, key = element.get("class"), element.get("id")
    if not classes and not key:
        return False
    parts = _PARTS.split(f"{classes or ''} {key or ''}".lower())
    return not words.isdisjoint(parts) or any(part.startswith("vote") for part in parts)


def _shown(blockquote: HtmlElement, shown: str) -> bool:
    """Whether the quote's text is in ``shown`` (the page's posts without their quotes, as
    ``_spaced`` words): half its lines of ``QUOTED_LINE_WORDS`` words or more, or it has none."""
    lines = [_spaced(_unattributed(line)) for line in post_text(blockquote).split("\n")]
    lines = [line for line in lines if line.count(" ") > QUOTED_LINE_WORDS]
    return not lines or 2 * sum(line in shown for line in lines) >= len(lines)


def _unattributed(line: str) -> str:
    """``line`` without who it says wrote it ("Anna wrote: …")."""
    found = _ATTRIBUTION.search(line)
    return line[found.end() :] if found else line


def _spaced(text: str) -> str:
    return f" {' '.join(lower_words(text))} "


def _quoted(blockquote: HtmlElement) -> bool:
    """Whether a ``<blockquote>`` quotes another post. Not when its class names the post's own
    text (some engines draw each message as a ``<blockquote class="messageText">``), nor when it
    is bare and names no one who "wrote:" or "said:" it (the poster quoting a source)."""
    if _POST_BODY.search(blockquote.get("class") or ""):
        return False
    if blockquote.attrib:  # ``class="quote"``, ``cite=``, ``data-quote-author=``…
        return True
    head = "".join(islice(blockquote.itertext(), ATTRIBUTION_PIECES))[:ATTRIBUTION_CHARS]
    return bool(_ATTRIBUTION.search(head))


def _skipped(element: HtmlElement, drop_comments: bool, shown: str | None) -> bool:
    if element.tag == "blockquote":
        # a quote of a post on this page is left out; of one that is not, it is kept
        return _quoted(element) and (
            shown is None
            or _named_not_content(element, _NOT_QUOTE)  # a signature drawn as a quote
            or _shown(element, shown)
        )
    if element.tag in _SKIPPED_TAGS or _named_not_content(element):
        return True
    classes = element.get("class")
    # the comments under a post are named by their class; an id such as ``comment-123_wrap``
    # names the post itself on some forums
    return bool(
        drop_comments and classes and not _COMMENT_PARTS.isdisjoint(_PARTS.split(classes.lower()))
    )


def post_text(post: HtmlElement, drop_comments: bool = True, shown: str | None = None) -> str:
    """The text of one post container, one line per block, without its quotes, signature,
    controls and (with ``drop_comments``) the comments under it. With ``shown`` (the page's
    posts without quotes, as ``_spaced`` words) a quote whose text is not there stays."""
    pieces: list[str] = []
    walker = etree.iterwalk(post, events=("start", "end"))
    skipping: HtmlElement | None = None
    for event, element in walker:
        if not isinstance(element.tag, str):  # a comment or processing instruction
            if event == "end" and element.tail:
                pieces.append(element.tail)
            continue
        if event == "start":
            if element is not post and _skipped(element, drop_comments, shown):
                walker.skip_subtree()
                skipping = element
                continue
            if element is not post and _named_not_content(element, _USER_PANEL):
                name = post_text(element, drop_comments, shown).split("\n", 1)[0]
                pieces.extend(("\n", name, "\n"))
                walker.skip_subtree()
                skipping = element
                continue
            if element.tag in _BLOCKS:
                pieces.append("\n")
            if element.text:
                pieces.append(element.text)
            continue
        if element is skipping:
            skipping = None
        elif element.tag in _BLOCKS:
            pieces.append("\n")
        if element is not post and element.tail:
            pieces.append(element.tail)
    lines = (folded(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _keys(element: HtmlElement) -> list[str]:
    """The post groups ``element`` belongs to: its post class words, and its declared
    schema.org post type (``itemtype``: ``Comment``, ``Answer``…) when it has one."""
    classes = (element.get("class") or "").split()
    words = [w.lower() for w in classes if _POST_CLASS.search(w)]
    keys = [" ".join(sorted(words))] if words else []
    declared = _POST_ITEMTYPE.search(element.get("itemtype") or "")
    if declared:
        keys.append(f"itemtype {declared.group(1).lower()}")
    return keys


def _groups(
    tree: HtmlElement, position: dict[HtmlElement, int]
) -> dict[tuple[str, str], list[HtmlElement]]:
    """Post-like elements by tag and post class words (or declared post type), outermost
    ones only, in page order (each one's place in ``position``)."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    seen = 0
    for element in tree.iter(_CONTAINER_TAGS):
        keys = _keys(element)
        if not keys:
            continue
        seen += 1
        if seen > MAX_CANDIDATES:
            break
        position[element] = seen
        for key in keys:
            members = groups.setdefault((element.tag, key), [])
            # page order: a member nested in the previous one is a reply drawn inside it
            if members and any(a is members[-1] for a in element.iterancestors()):
                continue
            members.append(element)
    return groups


def _families(tree: HtmlElement) -> list[tuple[str, list[HtmlElement]]]:
    """The groups whose post class names overlap, as one (the opening post drawn as a
    ``div class="js-post"`` and the replies as ``article class="reply js-post"``, a highlighted
    answer ``ipsComment ipsComment_highlighted`` among ``ipsComment`` ones): their class words
    and their outermost members in page order."""
    position: dict[HtmlElement, int] = {}
    groups = _groups(tree, position)
    family: dict[tuple[str, str], tuple[str, str]] = {key: key for key in groups}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while family[key] != key:
            key = family[key]
        return key

    by_word: dict[str, tuple[str, str]] = {}
    for key in groups:
        for word in key[1].split(" ") if not key[1].startswith("itemtype ") else [key[1]]:
            other = by_word.setdefault(word, key)
            if root(other) != root(key):
                family[root(key)] = root(other)
    merged: dict[tuple[str, str], tuple[set[str], set[HtmlElement]]] = {}
    for key, members in groups.items():
        words, elements = merged.setdefault(root(key), (set(), set()))
        words.add(key[1])
        elements.update(members)
    found = []
    for words, elements in merged.values():
        outermost = [e for e in elements if not any(a in elements for a in e.iterancestors())]
        found.append((" ".join(sorted(words)), sorted(outermost, key=position.__getitem__)))
    return found


def _posts(tree: HtmlElement) -> list[str]:
    """Each post's text, in page order (none when the page repeats no post container)."""
    best: tuple[str, list[HtmlElement]] | None = None
    most = 0
    for words, members in _families(tree):
        if len(members) < 2:
            continue
        size = sum(len(member.text_content()) for member in members)
        if size > most:
            best, most = (words, members), size
    if best is None:
        return []
    words, members = best
    drop_comments = "comment" not in words
    posts = [post_text(member, drop_comments) for member in members]
    # a quote stays when the post it quotes is not on the page: read again with the page's text
    shown = _spaced("\n".join(posts))
    return [
        post_text(member, drop_comments, shown)
        if member.find(".//blockquote") is not None
        else post
        for member, post in zip(members, posts, strict=True)
    ]


def _joined(posts: list[str]) -> str | None:
    return "\n".join(filter(None, posts)) or None


def thread_posts(tree: HtmlElement) -> str | None:
    """The text of the thread's posts in ``tree`` (read, not modified), without the lines
    several posts repeat, or None when the page repeats no post container."""
    return _joined(without_repeated_lines(_posts(tree)))


def _furniture_key(line: str) -> str:
    return _NUMBER.sub("0", line) if len(line.split()) <= NUMBERED_WORDS else line


def without_repeated_lines(posts: list[str]) -> list[str]:
    """``posts`` without the short lines that several of them print word for word (the
    shortest with their numbers aside): a post's furniture ("Report inappropriate content",
    "Offline", a rank, "Reply 7", "#3", a score), not its text."""
    seen: Counter[str] = Counter()
    for post in posts:
        lines = post.split("\n")
        seen.update({_furniture_key(line) for line in lines if len(line.split()) <= REPEATED_WORDS})
    repeated = {line for line, posts_with in seen.items() if posts_with >= REPEATED_POSTS}
    if not repeated:
        return posts
    return [
        "\n".join(line for line in post.split("\n") if _furniture_key(line) not in repeated)
        for post in posts
    ]


def covers(posts: str, text: str | None) -> bool:
    """Whether ``posts`` hold most of ``text`` (trafilatura's) and are not much shorter."""
    theirs = Counter(lower_words(text or ""))
    ours = Counter(lower_words(posts))
    total = sum(theirs.values())
    if not total:
        return bool(ours)
    shared = sum((theirs & ours).values())
    return shared >= COVERED_SHARE * total and sum(ours.values()) >= LENGTH_SHARE * total


def without_dialogs(text: str | None, dialogs: frozenset[str]) -> str | None:
    """``text`` without the lines that are a dialog's text (a cookie or consent banner's
    panels, which trafilatura keeps with comments included), ``dialogs`` as
    ``core.extract.profile_product.dialog_texts`` reads them."""
    if not text or not dialogs:
        return text
    kept = [
        line
        for line in text.split("\n")
        if len(line.split()) < MIN_DIALOG_WORDS or folded(line).casefold() not in dialogs
    ]
    return "\n".join(kept) or None


def declared_description(tree: HtmlElement) -> str | None:
    """The longest description the page declares in its ``<meta>`` tags."""
    found = [folded(str(value)) for value in _DESCRIPTION(tree)]
    return max(found, key=len, default=None) or None


def forum_text(tree: HtmlElement, url: str | None) -> str | None:
    """The thread's text: its posts when they are the thread, else trafilatura's text with
    comments, or the declared description when that is longer (``tree`` is spent)."""
    posts = _posts(tree)
    description = declared_description(tree)
    dialogs = dialog_texts(tree)  # read before trafilatura prunes the tree
    text = without_dialogs(main_text(tree, url, with_comments=True), dialogs)
    found = _joined(posts)
    # trafilatura's text shorter than the page's own summary is a loading screen or a consent
    # panel's headings, not the thread: then posts longer than that summary are the thread
    summary = len(description.split()) if description else 0
    missed = len((text or "").split()) < summary
    # whether they are the thread is judged on the posts as printed, furniture included
    if found is not None and (covers(found, text) or (missed and len(found.split()) > summary)):
        return _joined(without_repeated_lines(posts)) or found
    if missed:
        return description  # shorter than its own summary: a loading screen, not the thread
    return text
