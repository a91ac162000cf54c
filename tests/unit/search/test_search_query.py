"""The query language: parsing, FTS5 expressions that user input cannot steer, and migration."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from core.adapters.local.article_store import SqliteArticleStore
from core.adapters.local.fts_query import fts_expression
from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.models import Article, ArticleStatus
from core.search import Clause, parse_query


def test_words_phrases_prefixes_and_cjk_runs_are_clauses() -> None:
    query = parse_query('"heat wave" Europe econ* 東京都')
    assert query.clauses == (
        Clause(("heat", "wave")),
        Clause(("Europe",)),
        Clause(("econ",), prefix=True),
        Clause(("東京都",), cjk=True),
    )


def test_stop_words_drop_out_unless_nothing_is_left() -> None:
    assert parse_query("the heat of July").words == ["heat", "July"]
    assert parse_query("l'économie", "fr").words == ["économie"]
    assert parse_query("the of and").words == ["the", "of", "and"]
    assert parse_query('"the end"').words == ["the", "end"]  # phrases keep them


def test_mixed_scripts_split_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query("iPhone手机").clauses == (Clause(("iPhone",)), Clause(("手机",), cjk=True))
    assert parse_query('volcano "lava flow').clauses == (
        Clause(("volcano",)),
        Clause(("lava", "flow")),
    )


def test_a_single_letter_or_a_lone_star_is_not_a_prefix() -> None:
    assert parse_query("x* b").clauses == (Clause(("x",)), Clause(("b",)))
    assert not parse_query('* "" ** ---')


def test_queries_are_bounded() -> None:
    assert len(parse_query(" ".join(f"w{i}" for i in range(20))).clauses) == 8


def test_operators_are_quoted_words_in_the_fts5_expression() -> None:
    expression = fts_expression(parse_query('NEAR(heat wave) title:x "a b" yo*'))
    assert expression == (
        '({title body} : "NEAR") OR ({title body} : "heat") OR ({title body} : "wave")'
        ' OR ({title body} : "title") OR ({title body} : "x") OR ({title body} : "a b")'
        ' OR ({title body} : "yo" *)'
    )


HOSTILE = [
    "AND(",
    "NEAR",
    "NEAR(a b, 3)",
    "title:secret",
    "body : x",
    '"unbalanced',
    'a"b"c"',
    "heat AND",
    "OR OR OR",
    "NOT heat",
    "(((",
    "a* * ** ^start",
    "-heat +wave",
    "{title} : x",
    'col:"x" AND y:z',
    "\x00\x01",
    '東京"AND"都',
]


@pytest.fixture
def index(tmp_path: Path) -> SqliteSearchIndex:
    index = SqliteSearchIndex(SqliteDatabase(tmp_path / "db.sqlite3"))
    index.index(
        Article(id="a", url="https://e.com/a", title="NEAR the title", text="AND heat wave")
    )
    return index


@pytest.mark.parametrize("query", HOSTILE)
def test_fts5_syntax_in_a_query_is_searched_as_text(index: SqliteSearchIndex, query: str) -> None:
    index.search(query)  # never raises
    assert [h.id for h in index.search("AND(")] == ["a"]  # "and" is the only word: kept
    assert [h.id for h in index.search("NEAR(")] == ["a"]


def test_random_punctuation_never_breaks_the_engine(index: SqliteSearchIndex) -> None:
    alphabet = [
        '"',
        "*",
        "(",
        ")",
        ":",
        "^",
        "-",
        "+",
        "{",
        "}",
        " ",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "heat",
        "wave",
        ",",
        "'",
        "東",
        "京",
    ]
    rng = random.Random(15)
    for _ in range(300):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        index.search(query)


def test_an_index_from_before_fts5_is_rebuilt_from_the_stored_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = SqliteDatabase(path)
    store = SqliteArticleStore(db)

    def stored(key: str, text: str, **extra: object) -> Article:
        return Article(
            id=key,
            url=f"https://e.com/{key}",
            status=ArticleStatus.INDEXED,
            title=key,
            text=text,
            **extra,  # type: ignore[arg-type]
        )

    store.put(stored("kept", "The volcano erupted at dawn."))
    store.put(stored("copy", "The volcano erupted at dawn.", duplicate_of="kept"))
    store.put(
        stored("queued", "A volcano, not indexed yet.").model_copy(
            update={"status": ArticleStatus.EXTRACTED}
        )
    )
    with sqlite3.connect(path) as conn:  # the tables of the home-made index
        conn.execute("CREATE TABLE search_docs (id TEXT PRIMARY KEY, text TEXT)")
        conn.execute("CREATE TABLE search_terms (term TEXT, article_id TEXT, weight INTEGER)")
        conn.execute("CREATE TABLE search_df (term TEXT PRIMARY KEY, df INTEGER)")
    index = SqliteSearchIndex(SqliteDatabase(path))
    assert [hit.id for hit in index.search("volcano")] == ["kept"]
    names = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert not names & {"search_docs", "search_terms", "search_df"}
    assert store.get("kept") is not None  # articles are untouched
