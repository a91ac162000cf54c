"""Loading: decoded page text into an lxml tree, with trafilatura's repairs and a faster parser.

The same tree as ``trafilatura.load_html`` (tests/unit/extract/test_text.py), built with an
element class decided in C and the repairs done only where they change something.

lxml and libxml2 working on several pages from several threads at once corrupts the heap (the
16-thread ``ingest`` died with "double free or corruption" in about a third of the runs): this
package runs in the extraction worker processes of ``core.extraction_pool``, one page at a time
each, never in the threads that fetch.
"""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import (  # type: ignore[import-untyped]
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, is_dubious_html

from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)
#: The document's top-level elements, whatever element of it is asked: one when the page
#: parsed whole, several beside each other when a broken page left more than one.
TOP_LEVEL = etree.XPath("/*")


class _Element(HtmlElement):  # type: ignore[misc]
    """``HtmlElement`` whose ``text_content`` is lxml's text serialisation, in C.

    ``HtmlElement.text_content`` evaluates the XPath ``string()`` (1.36 µs an element on WCXB
    pages, ~580 calls a page in trafilatura); serialising the text gives the same string
    (every descendant text node, without the element's own tail) in 0.74 µs.
    """

    def text_content(self) -> str:
        return str(etree.tostring(self, method="text", encoding=str, with_tail=False))


def _parser() -> HTMLParser:
    """trafilatura's parser settings, with every element an ``HtmlElement`` decided in C.

    ``lxml.html`` picks each element's class in Python (form elements get their own), which
    costs a call every time lxml hands trafilatura an element: about a tenth of its run time.
    trafilatura uses no form-element feature, so the text is the same.
    """
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=_Element,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


#: The parser of every page (one page at a time per process, see the module docstring).
PARSER = _parser()
# What trafilatura's INVALID_XML_CHARS matches below U+FFFE, as single UTF-8 bytes.
_CONTROL_BYTES = [bytes([c]) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
# repair_faulty_html looks for a self-closed <html/> in the first lines: these many, of at most
# this many characters (trafilatura 2.3.1's own bounds).
_FAULTY_LINES, _FAULTY_CHARS = 4, 4096


def repaired(html: str, beginning: str, utf8: bytes | None = None) -> tuple[str, bytes]:
    """trafilatura's ``repair_faulty_html``, and its result in UTF-8 for the parser.

    The same three repairs, each only when it changes something: trafilatura's search for
    control characters is a regular expression over the whole page (0.45 ms on an average
    WCXB page of 178k characters), where looking for each one in the UTF-8 bytes takes a
    tenth of that.
    """
    data = html.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    changed = False
    if "\ufffe" in html or "\uffff" in html or any(data.find(c) >= 0 for c in _CONTROL_BYTES):
        html, changed = INVALID_XML_CHARS.sub("", html), True
    if "doctype" in beginning:
        first_line, newline, rest = html.partition("\n")
        fixed = DOCTYPE_TAG.sub("", first_line, count=1)
        if fixed != first_line or not newline:
            html, changed = fixed + "\n" + rest, True
    for line in html[:_FAULTY_CHARS].splitlines()[:_FAULTY_LINES]:
        if "<html" in line and line.endswith("/>"):
            html, changed = FAULTY_HTML.sub(r"\1>", html, count=1), True
            break
    return html, html.encode("utf-8", "surrogatepass") if changed else data


def load_html(html: str, utf8: bytes | None = None) -> HtmlElement | None:
    """``trafilatura.load_html`` for text we already decoded, with the faster parser.

    lxml reads the text as UTF-8 bytes (``utf8``, when the page came so, saves encoding it),
    into the same tree, and those bytes also show quickly whether it needs repairs; the
    ``str`` stays the fallback.
    """
    beginning = html[:50].lower()
    html, data = repaired(html, beginning, utf8)
    tree: HtmlElement | None = None
    try:
        tree = fromstring(data, parser=PARSER)
    except (ValueError, etree.ParserError):
        tree = None
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(html, parser=PARSER)
        except (ValueError, etree.ParserError):
            logger.debug("unparsable page")
            return None
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        return None
    return tree if isinstance(tree, HtmlElement) else None
