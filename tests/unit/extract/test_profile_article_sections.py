"""The article profile on a page of short sections: where trafilatura keeps one small block of
it, the page's sections are the text (without the related posts after it); an article whose
text is most of its page keeps it, and the sections walk does not even run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trafilatura

from core.extract import profile_article
from core.extract.assemble import assemble
from core.extract.loading import load_html
from core.extract.profile_article import SECTIONS_MAX_WORDS, sections_text
from core.models import PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"
PAGE = FIXTURES / "article-in-sections.html"
URL = "https://keyline.example/guides/moving-a-piano"
SECTIONS = (
    "Three steps that bring an upright across town in one piece, and what to do once it has"
    " arrived.",
    "Measure every doorway first",
    "Borrow a piano dolly",
    "Four wheels and two straps carry the weight; the lid and the legs crack.",
    "After the move",
    "Third | Book a tuning once the wood has settled",
    "A reader's move",
    "Dana Reyes, a reader from the riverside district",
)


def test_a_page_of_short_sections_keeps_every_section_in_order() -> None:
    body = PAGE.read_bytes()
    article = assemble(PageInput(body=body, url=URL, article_id="a"))
    assert article is not None
    assert article.page_type is PageType.ARTICLE
    lines = article.text.split("\n")
    assert [lines.index(line) for line in SECTIONS] == sorted(lines.index(s) for s in SECTIONS)
    assert "grandmother's upright" in article.text
    for chrome in ("Tuning", "Contact", "Privacy policy", "Moving a piano without a removal firm"):
        assert chrome not in lines  # menus, footer, and the title (its own field)
    # the walk reads the related posts after the story too: they are cut, as after an article
    assert lines[-1] == SECTIONS[-1]
    assert "Humidity and your piano's soundboard" not in article.text
    # bare trafilatura keeps only the reader's story on this page
    bare = trafilatura.extract(body, include_comments=False) or ""
    assert "grandmother's upright" in bare
    assert "Borrow a piano dolly" not in bare


def _walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walks: list[int] = []
    lines = profile_article.section_lines

    def counted(tree: object, *args: Any, **kwargs: Any) -> list[str]:
        walks.append(1)
        return lines(tree, *args, **kwargs)

    monkeypatch.setattr(profile_article, "section_lines", counted)
    return walks


def test_a_text_that_holds_most_of_its_page_is_kept_without_a_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walks = _walks(monkeypatch)
    paragraph = "A sentence of the article that trafilatura found and kept for the reader. " * 8
    tree = load_html(f"<html><body><h1>Title</h1><p>{paragraph}</p><p>Menu</p></body></html>")
    assert tree is not None
    assert sections_text(tree, paragraph.strip()) is None
    assert walks == []


def test_a_long_text_is_kept_without_a_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    walks = _walks(monkeypatch)
    text = "word " * SECTIONS_MAX_WORDS
    sidebar = "<div>" + "another section of the page " * 20_000 + "</div>"
    tree = load_html(f"<html><body><p>{text}</p>{sidebar}</body></html>")
    assert tree is not None
    assert sections_text(tree, text) is None
    assert walks == []


def test_sections_not_twice_the_text_leave_it_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # a dated page (an undated one needs 1.2 times its words: test_profile_article_undated)
    walks = _walks(monkeypatch)
    text = "The one paragraph trafilatura kept, a block of the page of some length."
    other = "<p>A shorter second paragraph it left out.</p>"
    scripts = "<script>" + "var x = 1;" * 200 + "</script>"  # body text, not a section
    date = '<time datetime="2026-01-02">2 January</time>'
    tree = load_html(f"<html><body>{date}<p>{text}</p>{other}{scripts}</body></html>")
    assert tree is not None
    assert sections_text(tree, text) is None
    assert walks == [1]


def test_a_text_that_is_the_pages_pop_ups_gives_way_to_its_sections() -> None:
    # trafilatura read the pop-ups' offers; the walk leaves them out and reads fewer words
    offers = [f"Add a coaching session number {i} to your order today" for i in range(6)]
    popups = "".join(f'<div class="site-popup"><p>{offer}</p></div>' for offer in offers)
    content = "We write resumes for every career stage. " * 3
    tree = load_html(
        f"<html><body><h1>Resume writing</h1><p>{content}</p>"
        f"<div>{'<p>Another section of the page with its own words.</p>' * 30}</div>"
        f"{popups}</body></html>"
    )
    assert tree is not None
    text = sections_text(tree, "\n".join(offers))
    assert text is not None
    assert "We write resumes" in text
    assert "coaching session" not in text
