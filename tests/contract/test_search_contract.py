"""The search contract, run over the SQLite and the DynamoDB (moto) index on one corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.adapters.aws import AwsClients, search_compaction
from core.adapters.aws.dynamodb_search_index import DynamoSearchIndex
from core.adapters.aws.search_table import SearchTable
from core.adapters.local.search_index import SqliteSearchIndex
from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput, StorageError
from core.models import Article, PageType
from core.ports import SearchIndex
from core.settings import Settings
from tests.contract.moto_env import create_resources, session
from tests.contract.search_corpus import BY_KEY, CORPUS, aid

Factory = Callable[[], SearchIndex]
STOP_WORDS_ONLY: tuple[str, dict[str, Any]] = ("the of and", {})

# (query, filters): every one must give the same hits on both backends.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("heat wave", {}),
    ("canicule", {}),
    ("températures", {}),
    ("temperatures record", {"limit": 3}),
    ("l'économie", {}),
    ("economía", {}),
    ("Gutenberg", {}),
    ("Gutenberg", {"language": "de"}),
    ("Paris", {"site": "Actu Exemple"}),
    ("Paris", {"site": "news.example.com"}),
    ("Madrid", {"since": "2024-07-18"}),
    ("Madrid", {"until": "2024-07-17"}),
    ("calor 40 grados", {"language": "es", "since": "2024-01-01", "until": "2024-12-31"}),
    ("Europe", {}),
    STOP_WORDS_ONLY,
    ("zzzz unknownword", {}),
]


def _local(tmp_path: Path) -> Factory:
    counter = iter(range(1000))
    return lambda: SqliteSearchIndex(SqliteDatabase(tmp_path / f"search-{next(counter)}.sqlite3"))


def _aws(endpoint: str) -> Factory:
    def make() -> SearchIndex:
        settings = create_resources(endpoint, prefix="search")
        return DynamoSearchIndex(settings, AwsClients(settings, session=session()))

    return make


@pytest.fixture(
    params=[
        "local",
        pytest.param("aws", marks=pytest.mark.aws),
        pytest.param("aws-blocks", marks=pytest.mark.aws),
    ]
)
def new_index(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Factory:
    """Makes fresh, empty indexes of one backend.

    ``aws`` keeps this small corpus in pending items; ``aws-blocks`` compacts every two
    articles, so queries read posting blocks, pending items and tombstones together.
    """
    if request.param == "local":
        return _local(tmp_path)
    if request.param == "aws-blocks":
        monkeypatch.setattr(search_compaction, "COMPACT_AT", 2)
    return _aws(request.getfixturevalue("moto_endpoint"))


def _filled(factory: Factory, articles: list[Article] = CORPUS) -> SearchIndex:
    index = factory()
    for article in articles:
        index.index(article)
    return index


def _ids(index: SearchIndex, query: str, **filters: Any) -> list[str]:
    return [hit.id for hit in index.search(query, **filters)]


def _results(index: SearchIndex) -> list[list[dict[str, Any]]]:
    return [[h.model_dump() for h in index.search(q, **f)] for q, f in QUERIES]


def test_the_best_match_comes_first(new_index: Factory) -> None:
    index = _filled(new_index)
    assert _ids(index, "heat wave")[0] == aid("en-heat")
    assert _ids(index, "canicule") == [aid("fr-canicule")]
    assert _ids(index, "bicycle lanes London")[0] == aid("en-bike")
    assert _ids(index, "Hitzewelle Berlin")[0] == aid("de-hitze")


def test_accents_case_and_elisions_are_normalised(new_index: Factory) -> None:
    index = _filled(new_index)
    assert _ids(index, "ÉCONOMIE")[0] == aid("fr-eco")
    assert _ids(index, "l’économie") == _ids(index, "economie")
    assert _ids(index, "economia")[0] == aid("es-eco")
    # French "températures" and English "temperatures" fold to one term.
    found = set(_ids(index, "températures"))
    assert found == {aid("fr-canicule"), aid("en-heat")}
    assert _ids(index, "temperaturas") == [aid("es-calor")]


def test_filters_by_language_site_and_date(new_index: Factory) -> None:
    index = _filled(new_index)
    assert set(_ids(index, "Gutenberg")) == {aid("en-press"), aid("de-druck")}
    assert _ids(index, "Gutenberg", language="de") == [aid("de-druck")]
    assert _ids(index, "Gutenberg", language="DE") == [aid("de-druck")]
    paris = set(_ids(index, "Paris"))
    assert {aid("en-heat"), aid("fr-canicule"), aid("fr-velo")} <= paris
    by_site = _ids(index, "Paris", site="Actu Exemple")
    assert set(by_site) == {aid("fr-canicule"), aid("fr-velo")}
    assert _ids(index, "Paris", site="actu.example.fr") == by_site
    assert _ids(index, "Madrid", since="2024-07-18") == [aid("en-heat")]
    assert _ids(index, "Madrid", until="2024-07-17") == [aid("es-calor")]
    assert _ids(index, "Madrid", since="2024-07-17", until="2024-07-17") == [aid("es-calor")]
    # An article without a date is left out as soon as a date filter is given.
    assert aid("es-eco") in _ids(index, "economía")
    assert _ids(index, "economía", since="1900-01-01") == []


def test_filters_by_page_type(new_index: Factory) -> None:
    """Only articles of that page type; a re-extraction of another type moves the article."""
    typed = [
        a.model_copy(update={"page_type": PageType.FORUM if a.language == "fr" else None})
        for a in CORPUS
    ]
    index = _filled(new_index, typed)
    assert set(_ids(index, "Paris", page_type=PageType.FORUM)) == {
        aid("fr-canicule"),
        aid("fr-velo"),
    }
    assert _ids(index, "Paris", page_type=PageType.PRODUCT) == []
    index.index(BY_KEY["fr-velo"].model_copy(update={"page_type": PageType.PRODUCT}))
    assert _ids(index, "Paris", page_type=PageType.FORUM) == [aid("fr-canicule")]
    assert _ids(index, "Paris", page_type=PageType.PRODUCT, site="Actu Exemple") == [aid("fr-velo")]


def test_hits_carry_display_fields_and_a_snippet(new_index: Factory) -> None:
    index = _filled(new_index)
    hit = index.search("Seville", limit=1)[0]
    article = BY_KEY["en-heat"]
    assert (hit.id, hit.url, hit.title) == (article.id, article.url, article.title)
    assert (hit.sitename, hit.hostname, hit.language, hit.date) == (
        "Example News",
        "news.example.com",
        "en",
        "2024-07-18",
    )
    assert hit.score > 0
    assert hit.snippet is not None
    assert "Seville" in hit.snippet
    assert "\n" not in hit.snippet


def test_articles_without_text_are_not_indexed(new_index: Factory) -> None:
    index = _filled(new_index)
    assert aid("en-empty") not in _ids(index, "heat wave live updates", limit=100)


def test_limit_and_empty_queries(new_index: Factory) -> None:
    index = _filled(new_index)
    assert len(index.search("temperaturas temperatures températures", limit=2)) == 2
    assert index.search("") == []
    assert index.search("!!! ---") == []
    assert index.search("zzzz") == []
    with pytest.raises(InvalidInput):
        index.search("heat", limit=0)
    with pytest.raises(InvalidInput):
        index.search("heat", since="July 2024")


def test_reindexing_replaces_terms_and_frequencies(new_index: Factory) -> None:
    changed = BY_KEY["fr-eco"].model_copy(
        update={
            "title": "Le tourisme reprend à Paris",
            "text": "Les hôtels de Paris affichent complet et le tourisme dépasse son niveau.",
            "date": "2024-03-01",
        }
    )
    emptied = BY_KEY["en-bike"].model_copy(update={"text": ""})
    index = _filled(new_index)
    index.index(changed)
    index.index(changed)  # idempotent
    index.index(emptied)
    final = [changed if a.id == changed.id else a for a in CORPUS if a.id != emptied.id]
    fresh = _filled(new_index, final)
    assert _ids(index, "croissance") == []
    assert _ids(index, "bicycle") == []
    assert _ids(index, "tourisme") == [changed.id]
    # Same document frequencies and count as an index built from the final corpus: same scores.
    assert _results(index) == _results(fresh)


def test_a_phrase_matches_its_words_in_order(new_index: Factory) -> None:
    index = _filled(new_index)
    assert _ids(index, '"heat wave"') == [aid("en-heat")]
    assert _ids(index, '"wave heat"') == []
    hit = index.search('"cooling rooms"')[0]
    assert hit.id == aid("en-heat")
    assert hit.snippet is not None
    assert "**cooling rooms**" in hit.snippet


@pytest.mark.parametrize("query", ["AND(", "NEAR(heat, 2)", "title:heat", '"heat', "heat OR"])
def test_search_syntax_typed_by_a_user_is_text(new_index: Factory, query: str) -> None:
    index = _filled(new_index)
    assert aid("en-heat") in _ids(index, query) or query == "AND("


@pytest.mark.aws
def test_both_backends_find_the_same_articles(tmp_path: Path, moto_endpoint: str) -> None:
    """Ranking differs (FTS5 BM25 locally, top-K weights on DynamoDB); what is found does not."""
    local = _filled(_local(tmp_path))
    aws = _filled(_aws(moto_endpoint))
    found = [sorted(hit["id"] for hit in hits) for hits in _results(local)]
    assert found[QUERIES.index(STOP_WORDS_ONLY)]  # FTS5 indexes stop words too
    # DynamoDB keeps no postings for stop words, so it finds none for "the of and".
    found[QUERIES.index(STOP_WORDS_ONLY)] = []
    assert found == [sorted(hit["id"] for hit in hits) for hits in _results(aws)]
    assert sum(len(ids) for ids in found) >= 15  # the comparison covers real hits


@pytest.mark.aws
@pytest.mark.parametrize("crash", ["before committing", "before counting", "after committing"])
def test_an_interrupted_update_is_completed_exactly_once(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    settings: Settings = create_resources(moto_endpoint, prefix="search")
    index = DynamoSearchIndex(settings, AwsClients(settings, session=session()))
    for article in CORPUS:
        index.index(article)
    changed = BY_KEY["fr-velo"].model_copy(
        update={"text": "Le métro de Paris prolonge la ligne 14 vers l'aéroport d'Orly."}
    )
    added = BY_KEY["en-empty"].model_copy(update={"text": "Orly airport opens a new terminal."})
    removed = BY_KEY["de-druck"].model_copy(update={"text": None})
    step = "_count" if crash == "before counting" else "_commit"
    real = getattr(DynamoSearchIndex, step)

    def crashing(self: DynamoSearchIndex, *args: Any) -> None:
        if crash == "after committing":
            real(self, *args)
        raise StorageError("simulated crash")

    monkeypatch.setattr(DynamoSearchIndex, step, crashing)
    # An edit that keeps the article indexed changes no count: nothing to crash in.
    for article in (added, removed) if step == "_count" else (changed, added, removed):
        with pytest.raises(StorageError):
            index.index(article)
    monkeypatch.setattr(DynamoSearchIndex, step, real)
    for article in (changed, added, removed):
        index.index(article)  # the stream record is delivered again
    final = [
        changed if a.id == changed.id else added if a.id == added.id else a
        for a in CORPUS
        if a.id != removed.id
    ]
    # Same postings, document frequencies and document count: the same scores.
    assert _results(index) == _results(_filled(_aws(moto_endpoint), final))
    assert aid("en-empty") in _ids(index, "Orly")
    assert aid("fr-velo") not in _ids(index, "vélo")


@pytest.mark.aws
def test_a_compaction_that_dies_half_way_only_leaves_duplicates_queries_drop(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings: Settings = create_resources(moto_endpoint, prefix="search")
    index = DynamoSearchIndex(settings, AwsClients(settings, session=session()))
    for article in CORPUS:
        index.index(article)
    before = _results(index)
    real = SearchTable.batch_write

    def dies_before_deleting(table: Any, requests: Any, what: str) -> None:
        if "delete" in what:
            raise StorageError("simulated crash")
        real(table, requests, what)

    monkeypatch.setattr(SearchTable, "batch_write", dies_before_deleting)
    with pytest.raises(StorageError):
        index.compact()  # blocks written, pending items kept
    assert _results(index) == before
    monkeypatch.setattr(SearchTable, "batch_write", real)
    assert index.compact() == len([a for a in CORPUS if a.text])  # the lease was released
    assert index.compact() == 0
    assert _results(index) == before  # postings now in two generations of blocks, once each
