"""Links and images: absolute http(s) URLs in the page, then the main content's lists of them.

``absolutize`` runs on the parsed page before trafilatura when links or images are wanted (the
``include_links``/``include_images`` options, the markdown and HTML renderings): every ``<a
href>`` and image source is resolved against the page's base URL (its ``<base href>``, else
the URL it came from), as a browser does. trafilatura would resolve a link against the site's
root only (``page.html`` in ``/dir/`` is not ``/page.html``). A link to anything but http(s)
(``javascript:``, ``data:``, ``mailto:``…) loses its link and keeps its text; an image source
that is not http(s) is dropped.

``collect`` lists what trafilatura kept of them in the main content, bounded (``MAX_*``), and
``plain`` is that content without them, for the Article's plain ``text``.
"""

from __future__ import annotations

import json
import logging
import re
from copy import deepcopy
from urllib.parse import urljoin, urlsplit

from lxml import etree  # type: ignore[import-untyped]

from core.extract.textstats import folded
from core.models import ArticleImage, ArticleLink

logger = logging.getLogger(__name__)

#: Most links and images an Article carries: an Article is one DynamoDB item (400 KB; the text
#: moves to S3 when large, these lists do not).
MAX_LINKS = 100
MAX_IMAGES = 50
#: And at most this much JSON for both lists (ASCII-escaped, as the DynamoDB store estimates
#: an item's size): 150 ASCII entries of the longest URL and text fit, non-ASCII ones stop
#: earlier.
MAX_LISTS_JSON_BYTES = 200_000
#: Longer URLs are left out of the lists (tracking-laden; the renderings keep them).
MAX_URL_CHARS = 1024
#: Link texts and alt texts are cut to this many characters.
MAX_TEXT_CHARS = 200
_SCHEMES = ("http", "https")
#: The attributes trafilatura reads an image's source from (``trafilatura.utils.image_src``).
_IMAGE_PREFIX = "data-src"
#: A line break inside a paragraph's text (trafilatura keeps the source's around links).
_BROKEN_LINE = re.compile(r"[ \t\r\f\v]*\n\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base`` if the result is an http(s) URL with a host."""
    if not href:
        return None
    try:
        resolved = urljoin(base, href.strip())
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        return None
    # a control character (a stray backspace in a share link's text) is percent-encoded, as a
    # browser's URL parser does; lxml refuses it in an attribute
    return _CONTROL.sub(lambda found: f"%{ord(found.group()):02X}", resolved)


def base_url(tree: etree._Element, url: str | None) -> str | None:
    """The URL relative links are resolved against: ``<base href>`` (itself resolved against
    ``url``) when it is http(s), else ``url``."""
    base = tree.find(".//base[@href]")
    if base is not None:
        declared = _absolute(url or "", base.get("href"))
        if declared:
            return declared
    return url


def absolutize(tree: etree._Element, url: str | None) -> None:
    """Resolve every link and image source of ``tree`` in place (see the module docstring)."""
    base = base_url(tree, url)
    if not base:
        return
    for element in tree.iter("a", "img"):
        if element.tag == "a":
            href = element.get("href")
            if href is None:
                continue
            resolved = _absolute(base, href)
            if resolved is None:
                element.tag = "span"  # not a web link: its text stays, its target goes
                element.attrib.clear()
            else:
                element.set("href", resolved)
            continue
        for name, value in list(element.attrib.items()):
            if name == "src" or name.startswith(_IMAGE_PREFIX):
                resolved = _absolute(base, value)
                if resolved is None:
                    del element.attrib[name]
                else:
                    element.set(name, resolved)


def _web(url: str | None) -> bool:
    return _absolute("", url) is not None


def _clip(text: str) -> str:
    return folded(text)[:MAX_TEXT_CHARS]


def collect(body: etree._Element) -> tuple[list[ArticleLink], list[ArticleImage]]:
    """The distinct http(s) links and images of an extracted body, in order, bounded."""
    links: dict[str, ArticleLink] = {}
    images: dict[str, ArticleImage] = {}
    spent = 0
    for element in body.iter("ref", "graphic"):
        is_link = element.tag == "ref"
        url = element.get("target" if is_link else "src")
        found = links if is_link else images
        room = MAX_LINKS if is_link else MAX_IMAGES
        if len(found) >= room or not url or len(url) > MAX_URL_CHARS or url in found:
            continue
        if not _web(url):
            continue
        text = _clip("".join(element.itertext()) if is_link else element.get("alt") or "")
        spent += len(json.dumps(url)) + len(json.dumps(text)) + 20  # keys and punctuation
        if spent > MAX_LISTS_JSON_BYTES:
            break
        if is_link:
            links[url] = ArticleLink(url=url, text=text)
        else:
            images[url] = ArticleImage(url=url, alt=text)
    return list(links.values()), list(images.values())


def plain(body: etree._Element) -> etree._Element:
    """A copy of ``body`` whose links are plain text, without images, and whose paragraphs
    are one line each, as without links (for the ``text``; code keeps its lines)."""
    return make_plain(deepcopy(body))


def make_plain(copied: etree._Element) -> etree._Element:
    """``plain`` in place, on a tree the caller owns (already a copy); returns it."""
    for element in copied.iter():
        if element.tag == "code" or next(element.iterancestors("code"), None) is not None:
            continue
        if element.text and "\n" in element.text:
            element.text = _BROKEN_LINE.sub(" ", element.text)
        parent = element.getparent()
        if element.tail and "\n" in element.tail and parent is not None and parent.tag != "code":
            element.tail = _BROKEN_LINE.sub(" ", element.tail)
    for graphic in list(copied.iter("graphic")):
        parent = graphic.getparent()
        if parent is None:
            continue
        if graphic.tail:  # keep the text after the image
            previous = graphic.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + graphic.tail
            else:
                parent.text = (parent.text or "") + graphic.tail
        parent.remove(graphic)
    etree.strip_tags(copied, "ref")
    return copied
