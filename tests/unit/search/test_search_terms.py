"""Per-article weighted terms: every term, CJK pairs, title boost, saturation, length."""

from __future__ import annotations

from core.models import Article
from core.search import WEIGHT_SCALE, article_terms, weighted_terms
from core.search.terms import K1, bm25_weight, index_terms


def weights(title: str | None, text: str, language: str = "en") -> dict[str, int]:
    return {t.term: t.weight for t in weighted_terms(title, text, language)}


def test_title_terms_weigh_more_than_text_terms() -> None:
    w = weights("Volcano eruption", "The volcano erupted; lava reached the village.")
    assert w["volcano"] > w["lava"]
    assert w["eruption"] > w["village"]


def test_frequency_saturates_below_k1_plus_one() -> None:
    assert bm25_weight(2, 300) > bm25_weight(1, 300)
    assert bm25_weight(50, 300) - bm25_weight(10, 300) < bm25_weight(2, 300) - bm25_weight(1, 300)
    assert bm25_weight(10_000, 300) < K1 + 1


def test_longer_articles_give_a_mention_less_weight() -> None:
    short = weights(None, "Volcano near the coast.")
    long = weights(None, "Volcano near the coast. " + "Fishermen sailed home early. " * 50)
    assert short["volcano"] > long["volcano"]


def test_weights_are_integers_in_five_digits() -> None:
    w = weights("Alpha", "alpha beta " * 100)
    assert all(isinstance(v, int) and 1 <= v <= 99_999 for v in w.values())
    assert max(w.values()) < (K1 + 1) * WEIGHT_SCALE


def test_every_term_is_kept_heaviest_first_earliest_first_on_ties() -> None:
    words = [f"word{i:03d}" for i in range(1000)]
    kept = weighted_terms("Headline", " ".join(words), "en")
    assert len(kept) == 1001
    assert kept[0].term == "headline"
    assert [t.term for t in kept[1:]] == words


def test_cjk_runs_are_indexed_as_character_pairs_next_to_words() -> None:
    assert index_terms("新的地铁线路 iPhone手机 桜", "zh") == [
        "新的",
        "的地",
        "地铁",
        "铁线",
        "线路",
        "iphone",
        "手机",
        "桜",
    ]
    assert "地铁" in weights("上海地铁", "地铁线路开通", "zh")


def test_articles_without_text_have_no_terms() -> None:
    article = Article(id="a", url="https://example.com/a", title="Only a title")
    assert article_terms(article) == []
    assert article_terms(article.model_copy(update={"text": "   \n"})) == []
    assert article_terms(article.model_copy(update={"text": "Some body"})) != []
