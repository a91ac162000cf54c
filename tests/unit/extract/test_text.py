"""core.extract.loading parses and core.extract.text extracts the main text exactly as
trafilatura does, only faster."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from trafilatura.utils import load_html as trafilatura_load_html

from core.extract.charset import decode_html
from core.extract.loading import load_html
from core.extract.text import main_text

ARTICLE = "".join(
    f"<p>Paragraph {i} of the article says something long enough to be kept as main text.</p>"
    for i in range(8)
)
PAGES = {
    "plain": f"<!DOCTYPE html><html><head><title>T</title></head><body>{ARTICLE}</body></html>",
    "control characters": f"<html><body>\x00{ARTICLE}\x0b\x1f<p>a\ufffeb\uffff</p></body></html>",
    "xhtml doctype": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    f"<html><body>{ARTICLE}</body></html>",
    "doctype, one line": f"<!doctype html><html><body>{ARTICLE}</body></html>",
    "self-closing html": f'<html lang="en"/>\n<body>{ARTICLE}</body></html>',
    "fragment": f'<div id="html">{ARTICLE}</div>',
    "two roots": f"<html><body>{ARTICLE}</body></html><html><body><p>Second</p></body></html>",
    "xml declaration": '<?xml version="1.0" encoding="iso-8859-1"?>'
    f"<html><body>{ARTICLE}</body></html>",
}


def _shape(tree: etree._Element) -> bytes:
    return bytes(etree.tostring(tree.getroottree(), encoding="utf-8"))


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_the_tree_is_trafilaturas(html: str) -> None:
    ours, theirs = load_html(html), trafilatura_load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert _shape(ours) == _shape(theirs)


def _trafilatura_text(html: str, url: str | None) -> str | None:
    document = trafilatura.bare_extraction(html, url=url, include_comments=False)
    return None if document is None else str(document.text)


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_the_tree_from_the_pages_utf8_bytes_is_the_same(html: str) -> None:
    from_text, from_bytes = load_html(html), load_html(html, html.encode("utf-8", "surrogatepass"))
    assert (from_text is None) == (from_bytes is None)
    if from_text is not None:
        assert _shape(from_text) == _shape(from_bytes)


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_main_text_is_bare_extractions(html: str) -> None:
    tree = load_html(html)
    assert tree is not None
    assert main_text(tree, None) == _trafilatura_text(html, None)


def test_main_text_of_the_sample_pages_is_bare_extractions(pages_dir: Path) -> None:
    for page in sorted(pages_dir.glob("*.html")):
        html = decode_html(page.read_bytes()).text
        tree = load_html(html)
        assert tree is not None
        url = f"https://example.org/{page.stem}"
        assert main_text(tree, url) == _trafilatura_text(html, url), page.name


def test_text_content_is_the_xpath_string_value() -> None:
    tree = load_html(
        "<html><body><div>a<b>b<i>c</i>d</b>e&amp;<br/>f<!-- no --></div>tail</body></html>"
    )
    assert tree is not None
    string_value = etree.XPath("string()")
    for element in tree.iter(etree.Element):
        assert element.text_content() == string_value(element)
    assert tree.find(".//div").text_content() == "abcde&f"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body></body></html>",
        "<html><body><div> </div><script>run()</script></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",  # trafilatura: "Home "
    ],
)
def test_pages_with_little_or_no_text(html: str) -> None:
    tree = load_html(html)
    assert tree is not None
    assert main_text(tree, None) == _trafilatura_text(html, None)
