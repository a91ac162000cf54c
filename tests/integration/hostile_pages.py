"""Generators of hostile pages: each is valid HTML that costs a parser or an extractor dearly."""

from __future__ import annotations

PARAGRAPH = (
    "The harbour authority opened the new solar ferry line on Monday, and commuters who used "
    "to drive around the bay now cross it in twelve minutes. "
)


def normal_page(words: int = 300) -> bytes:
    """An ordinary article of about ``words`` words."""
    body = "".join(f"<p>{PARAGRAPH}</p>\n" for _ in range(max(1, words // 25)))
    return (
        "<!doctype html><html lang='en'><head><title>Solar ferry opens</title></head><body>"
        f"<article><h1>Solar ferry opens</h1>{body}</article></body></html>"
    ).encode()


def nested_authors(depth: int = 250, spans: int = 20_000) -> bytes:
    """``depth`` nested ``<div class="author">`` around ``spans`` spans (each candidate's
    subtree is the whole rest of the page)."""
    inner = "".join(f"<span>w{i} </span>" for i in range(spans))
    return (
        "<html><head><title>t</title></head><body>"
        + '<div class="author">' * depth
        + inner
        + "</div>" * depth
        + f"<p>{PARAGRAPH}</p></body></html>"
    ).encode()


def sibling_paragraphs(count: int = 100_000) -> bytes:
    """``count`` sibling ``<p>`` elements."""
    return ("<html><body>" + "<p>x</p>" * count + "</body></html>").encode()


def many_attributes(count: int = 40_000) -> bytes:
    """One element with ``count`` attributes (libxml2 checks each against all the others)."""
    attributes = " ".join(f"a{i}='v'" for i in range(count))
    return f"<html><body><div {attributes}>x</div><p>{PARAGRAPH}</p></body></html>".encode()


def attribute_heavy(elements: int = 20, attributes: int = 9_000) -> bytes:
    """``elements`` elements each just under the guard's attribute limit: each costs libxml2
    about a second, whatever the guard says about one element."""
    tag = "<div " + " ".join(f"a{i}='v'" for i in range(attributes)) + ">x</div>"
    return f"<html><body>{tag * elements}<p>{PARAGRAPH}</p></body></html>".encode()


def deep_nesting(depth: int = 100_000) -> bytes:
    """``depth`` nested ``<div>`` elements."""
    nested = "<div>" * depth + PARAGRAPH + "</div>" * depth
    return f"<html><body>{nested}</body></html>".encode()
