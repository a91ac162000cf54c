"""Article ids are stable across spellings of one URL and differ between pages."""

from __future__ import annotations

import hashlib

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


def test_default_options_keep_the_urls_id_and_others_give_one_of_their_own() -> None:
    from core.extraction_options import ExtractionOptions

    url = "https://example.org/a?utm_source=x"
    spelled_out = ExtractionOptions(include_tables=True, favor="balanced")
    assert spelled_out.key() == ExtractionOptions().key() == ""
    assert article_id(url, spelled_out.key()) == article_id(url)
    # the formula of every id stored before options existed
    assert article_id(url) == hashlib.sha256(normalize_url(url).encode()).hexdigest()[:32]
    links = ExtractionOptions(include_links=True)
    precise = ExtractionOptions(favor="precision")
    ids = {article_id(url), article_id(url, links.key()), article_id(url, precise.key())}
    assert len(ids) == 3
    # the same options however given, and the same page however spelled: the same article
    assert article_id("https://EXAMPLE.org/a#top", links.key()) == article_id(url, links.key())
    assert ExtractionOptions.model_validate({"include_links": True, "favor": "balanced"}) == links
