"""The article profile leaves out the lines that are a page's controls and labels (buttons, a
table of contents' heading, a reading time, "Related: <title>" teasers) wherever they stand,
and cuts the closing blocks its newer headings open ("Read this next", "Contact us"); small
texts and a small page made for these tests."""

from __future__ import annotations

from core.extract.assemble import assemble
from core.extract.profile_article import (
    MAX_TEASER_LINE_CHARS,
    without_closing,
    without_controls,
)
from core.ports import PageInput

PROSE = [
    f"The river walk of stage {n} follows the old towpath past the locks and the mill."
    for n in range(12)
]


def test_control_and_teaser_lines_are_dropped_wherever_they_stand() -> None:
    text = "\n".join(
        [
            "Table of Contents",
            "7 min read",
            PROSE[0],
            "Related: The best picnic spots along the canal",
            PROSE[1],
            "- Also read: Why the mill closed in 1921",
            "Book a Demo",
            PROSE[2],
        ]
    )
    assert without_controls(text) == "\n".join(PROSE[:3])


def test_prose_that_starts_like_a_teaser_or_a_button_stays() -> None:
    long_line = "Related: " + " ".join(PROSE[:2])
    assert len(long_line) > MAX_TEASER_LINE_CHARS
    text = "\n".join([PROSE[0], long_line, "Contents of the lock keeper's cottage", PROSE[1]])
    assert without_controls(text) == text


def test_newer_closing_and_teaser_headings_end_the_article() -> None:
    body = "\n".join(PROSE)
    teasers = "\nRead This Next\nA weekend on the canal\nThe mill's new bakery"
    assert without_closing(body + teasers) == body
    contact = "\nContact Us\n12 Towpath Lane, Millbridge\n" + PROSE[0]
    assert without_closing(body + contact) == body


PAGE = """<html><head><title>Walking the towpath</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Walking the towpath</h1>
<p>Table of Contents</p>
<p>{0}</p><p>{1}</p><p>{2}</p>
<p>Related: The best picnic spots along the canal</p>
<p>{3}</p><p>{4}</p><p>{5}</p>
</article></body></html>"""


def test_an_article_page_loses_its_table_of_contents_heading_and_teaser_line() -> None:
    body = PAGE.format(*PROSE).encode()
    article = assemble(PageInput(body=body, url="https://walks.example/towpath", article_id="t"))
    assert article is not None
    assert article.text is not None
    assert PROSE[0] in article.text
    assert PROSE[5] in article.text
    assert "Table of Contents" not in article.text
    assert "picnic spots" not in article.text
