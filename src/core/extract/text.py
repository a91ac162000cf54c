"""Main text: trafilatura's extraction sequence on a tree we parsed, its result checked.

What ``trafilatura.bare_extraction`` does for the text, on a tree we parse once, comments
excluded, no cross-document deduplication (trafilatura's ``deduplicate`` cache is process-wide
and would leak between warm Lambda invocations). It is the same text as ``trafilatura.extract``
(tests/unit/extract/test_text.py), reading the tree in place instead of a copy (half a
millisecond a page).

``trafilatura_sequence`` is an internal helper ("its signature and 4-tuple return are not a
stable API"): trafilatura is pinned (``core.pins``), the helper's parameters are checked at
import, and its answer is checked outside the ``except`` that, as in ``bare_extraction``, turns
trafilatura's own ``TypeError``/``ValueError`` on a page into "no text" — so a changed helper
fails every page loudly (``InternalsChanged``) instead of storing each as ``empty_extraction``.
"""

from __future__ import annotations

import logging
from copy import copy
from typing import Any

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.core import trafilatura_sequence
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from core.pins import InternalsChanged, check_parameters, require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)

check_parameters(
    "trafilatura.core.trafilatura_sequence",
    trafilatura_sequence,
    ("tree", "options", "url"),
    __name__,
)

_OPTIONS = Extractor(output_format="python", comments=False, dedup=False)
#: The forum profile's options (``core.extract.profiles``): comments are the posts there.
_COMMENT_OPTIONS = Extractor(output_format="python", comments=True, dedup=False)


def checked_sequence(result: Any) -> tuple[etree._Element, str, str]:
    """The body, its text and the comments' text of ``trafilatura_sequence``'s answer
    ``(body, text, comments_body, comments_text)``; ``InternalsChanged`` for any other shape."""
    if (
        not isinstance(result, tuple)
        or len(result) != 4
        or not isinstance(result[0], etree._Element)
        or not isinstance(result[1], str)
        or not isinstance(result[2], etree._Element)
        or not isinstance(result[3], str)
    ):
        shape = (
            tuple(type(item).__name__ for item in result)
            if isinstance(result, tuple)
            else type(result).__name__
        )
        raise InternalsChanged(
            f"trafilatura.core.trafilatura_sequence answered {shape}, not (element, str, "
            f"element, str): check {__name__} against the installed trafilatura"
        )
    return result[0], result[1], result[3]


def main_content(
    tree: HtmlElement, url: str | None, settings: Extractor | None = None
) -> tuple[etree._Element, etree._Element] | None:
    """The main content's body and the comments' body (empty unless ``settings`` asks for
    comments) of ``trafilatura_sequence`` with ``settings`` (default: ours, comments
    excluded), reading ``tree`` in place; None when trafilatura finds no text."""
    if tree.getparent() is not None or tree.getprevious() is not None or tree.getnext() is not None:
        # lxml handed back part of the document: trafilatura's copy holds that part alone
        tree = copy(tree)
    options = copy(settings or _OPTIONS)  # reading the configuration anew: 40 µs, a copy 3
    options.url, options.source = url, url and url.encode("utf-8", "replace").decode("utf-8")
    try:
        result = trafilatura_sequence(tree, options, url)
    except (TypeError, ValueError):  # what bare_extraction discards a page for
        logger.warning("discarding data: %s", url)
        return None
    body, text, comments = checked_sequence(result)
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return None
    return body, result[2]


def main_text(tree: HtmlElement, url: str | None, with_comments: bool = False) -> str | None:
    """``trafilatura.bare_extraction(tree, url=url, include_comments=False).text``, reading
    ``tree`` in place (which it prunes and so spends) rather than a copy of it; with
    ``with_comments``, what ``trafilatura.extract(..., include_comments=True)`` gives: the
    text, then the comments' text.

    The steps are ``bare_extraction``'s in trafilatura 2.3.1 (pinned) for these options: no
    metadata, language or duplicate filters, no size limit on the output tree (its
    ``MAX_TREE_SIZE`` is unset).
    """
    content = main_content(tree, url, _COMMENT_OPTIONS if with_comments else None)
    if content is None:
        return None
    body, comments = content
    text = str(xmltotxt(body, _OPTIONS.formatting))
    if with_comments and len(comments):
        text = f"{text}\n{xmltotxt(comments, _OPTIONS.formatting)}".strip()
    return text
