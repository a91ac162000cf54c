"""Article ids are stable across spellings of one URL and differ between pages."""

from __future__ import annotations

from core.ids import article_id, normalize_url


def test_same_page_same_id() -> None:
    variants = [
        "https://Example.com/news/a?b=2&a=1",
        "HTTPS://example.COM:443/news/a?a=1&b=2#comments",
        "https://example.com/news/a?a=1&b=2&utm_source=newsletter&fbclid=xyz",
    ]
    assert len({article_id(url) for url in variants}) == 1


def test_different_pages_differ() -> None:
    assert article_id("https://example.com/news?id=1") != article_id(
        "https://example.com/news?id=2"
    )
    assert article_id("http://example.com/a") != article_id("https://example.com/a")


def test_normalised_form() -> None:
    assert normalize_url("HTTPS://Example.COM:443/a?utm_medium=x#f") == "https://example.com/a"
    assert len(article_id("https://example.com/")) == 32


def test_word_count_and_reading_time() -> None:
    from core.extract.textstats import reading_time_minutes, word_count

    assert word_count("Le café d'été — 3 000 mots, n'est-ce pas ?") == 11
    assert word_count("") == 0
    assert reading_time_minutes(0) == 0
    assert reading_time_minutes(231) == 2
