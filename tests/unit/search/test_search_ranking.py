"""Scoring, tie-breaks, filters and snippets (``core.search.ranking`` and ``highlight``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput
from core.models import Article
from core.search import Facets, Posting, SearchFilters, idf, parse_query, rank, snippet


def posting(article_id: str, weight: int, **facets: str) -> Posting:
    return Posting(article_id, weight, Facets(**facets))


def test_idf_favours_rare_terms_and_is_never_negative() -> None:
    assert idf(1, 100) > idf(10, 100) > idf(100, 100) > 0
    assert idf(5, 3) >= 0  # a counter ahead of the document count


def test_rare_terms_decide_the_order() -> None:
    postings = {
        "common": [posting("a", 20_000), posting("b", 15_000)],
        "rare": [posting("b", 12_000)],
    }
    ranked = rank(["common", "rare"], postings, {"common": 90, "rare": 1}, 100, SearchFilters(), 10)
    assert [r.article_id for r in ranked] == ["b", "a"]
    assert ranked[0].score > ranked[1].score > 0


def test_ties_are_broken_by_article_id() -> None:
    postings = {"t": [posting("c", 100), posting("a", 100), posting("b", 100)]}
    ranked = rank(["t"], postings, {"t": 3}, 10, SearchFilters(), 2)
    assert [r.article_id for r in ranked] == ["a", "b"]


def test_filters() -> None:
    facets = Facets(language="fr", hostname="actu.example.fr", sitename="Actu", date="2024-07-19")
    assert SearchFilters(language="FR", site="Actu").admits(facets)
    assert SearchFilters(site="actu.example.fr", since="2024-07-19", until="2024-07-19").admits(
        facets
    )
    assert not SearchFilters(language="en").admits(facets)
    assert not SearchFilters(site="example.fr").admits(facets)
    assert not SearchFilters(since="2024-07-20").admits(facets)
    assert not SearchFilters(until="2024-07-18").admits(facets)
    assert not SearchFilters(since="2000-01-01").admits(Facets(language="fr"))


def test_malformed_dates_are_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        SearchFilters(since="2024-7-1")


def test_snippet_surrounds_the_first_match() -> None:
    text = "Opening words of the piece. " * 10 + "The volcano woke up.\nLava flowed. " * 10
    cut = snippet(text, parse_query("volcano lava"))
    assert cut is not None
    assert cut.startswith("…")
    assert cut.endswith("…")
    assert "The **volcano** woke up." in cut
    assert "**Lava** flowed." in cut
    assert "\n" not in cut
    assert len(cut.replace("**", "")) <= 202


def test_snippet_marks_phrases_prefixes_folded_words_and_cjk() -> None:
    text = "The Heat Wave hit Économie. Heatwaves again; heat and wave apart. 東京都に住む人。"
    cut = snippet(text, parse_query('"heat wave" economie'))
    assert cut == "The **Heat Wave** hit **Économie**. " + text[28:]
    assert "**Heatwaves**" in (snippet(text, parse_query("heatw*")) or "")
    assert "**東京**都" in (snippet(text, parse_query("東京")) or "")


def test_snippet_without_a_match_starts_the_text() -> None:
    assert snippet("Short text.", parse_query("absent")) == "Short text."
    assert snippet("   ", parse_query("absent")) is None


def test_the_sqlite_index_ranks_the_article_about_the_query_first(tmp_path: Path) -> None:
    index = SqliteSearchIndex(SqliteDatabase(tmp_path / "db.sqlite3"))

    def add(key: str, title: str, text: str, language: str = "en") -> None:
        index.index(
            Article(
                id=key, url=f"https://example.com/{key}", title=title, text=text, language=language
            )
        )

    add("a", "Harbour news", "Boats left the harbour. A volcano was mentioned once.")
    add("b", "Volcano erupts", "The volcano erupted at dawn; the volcano is still active.")
    add("c", "Markets", "Shares rose on Monday.")
    add("d", "Vulkan", "Der Vulkan ist ausgebrochen.", "de")
    hits = index.search("volcano")
    assert [h.id for h in hits] == ["b", "a"]
    assert index.search("volcano", language="de") == []
    assert [h.id for h in index.search("vulkan", language="de")] == ["d"]
