"""Scoring, tie-breaks, filters and snippets (``core.search.ranking`` and ``highlight``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput
from core.models import Article, PageType
from core.search import Facets, SearchFilters, confirmed, idf, parse_query, plan, score, snippet


def ranked_ids(query: str, postings: dict[str, dict[str, int]], count: int = 100) -> list[str]:
    return [r.article_id for r in score(plan(parse_query(query), None), postings, count)]


def test_idf_favours_rare_terms_and_is_never_negative() -> None:
    assert idf(1, 100) > idf(10, 100) > idf(100, 100) > 0
    assert idf(5, 3) >= 0  # more holders than the count says (an update in progress)


def test_rare_terms_decide_the_order() -> None:
    common = {f"x{i}": 10_000 for i in range(90)} | {"a": 20_000, "b": 15_000}
    postings = {"common": common, "rare": {"b": 12_000}}
    ranked = score(plan(parse_query("common rare"), None), postings, 100)
    assert [r.article_id for r in ranked[:2]] == ["b", "a"]
    assert ranked[0].score > ranked[1].score > 0


def test_ties_are_broken_by_article_id() -> None:
    assert ranked_ids("tt", {"tt": {"c": 100, "a": 100, "b": 100}}) == ["a", "b", "c"]


def test_a_phrase_needs_every_word_and_is_checked_on_the_text() -> None:
    lookups = plan(parse_query('"heat wave" paris'), "en")
    assert [(lk.terms, lk.verify) for lk in lookups] == [
        (("heat", "wave"), True),
        (("paris",), False),
    ]
    postings = {"heat": {"a": 100, "b": 100}, "wave": {"a": 100}, "paris": {"b": 100}}
    ranked = score(lookups, postings, 10)
    assert [r.article_id for r in ranked] == ["a", "b"]
    assert ranked[0].parts[1] == 0.0
    assert confirmed(ranked[0], lookups, [False, True]) is None  # "wave heat" in the text
    kept = confirmed(ranked[1], lookups, [False, True])
    assert kept is not None
    assert kept.score == ranked[1].score


def test_prefixes_and_cjk_runs_become_lookups() -> None:
    lookups = plan(parse_query("erupt* ab* 浦东机场 地铁 桜"), None)
    assert [(lk.prefix, lk.terms, lk.verify) for lk in lookups] == [
        ("erupt", (), False),
        (None, ("ab",), False),  # shorter than a bucket key: the word itself
        (None, ("浦东", "东机", "机场"), True),
        (None, ("地铁",), False),
        ("桜", (), False),
    ]
    postings = {"erupted": {"a": 100}, "eruption": {"a": 300, "b": 200}, "erupt": {"c": 50}}
    assert ranked_ids("erupt*", postings) == ["a", "b", "c"]  # the best form per article


def test_a_phrase_of_stop_words_only_looks_nothing_up() -> None:
    assert plan(parse_query('"to be or not"'), "en") == []


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
    forum = Facets(language="fr", page_type="forum")
    assert SearchFilters(page_type=PageType.FORUM).admits(forum)
    assert not SearchFilters(page_type=PageType.PRODUCT).admits(forum)
    assert not SearchFilters(page_type=PageType.FORUM).admits(facets)  # no page type


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
