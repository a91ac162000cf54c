"""The article profile's lost-list check on a hostile page: bounded reads, whatever the size."""

from __future__ import annotations

import pytest

from core.extract import profile_article
from core.extract.loading import load_html
from core.extract.profile_article import MAX_READS, lost_list_chars

PROOF = "This paragraph proves that the list beside it belongs to the article body."


def _page(items: int) -> str:
    item = "<li>one of many prose items that the text does not hold at all</li>"
    return f"<html><body><div><p>{PROOF}</p><ul>{item * items}</ul></div></body></html>"


def _reads(monkeypatch: pytest.MonkeyPatch, items: int) -> tuple[int, int]:
    """(lost characters, elements read) of the check on a page of ``items`` list items."""
    calls = 0
    plain = profile_article._plain

    def counted(element: object) -> str:
        nonlocal calls
        calls += 1
        return plain(element)

    monkeypatch.setattr(profile_article, "_plain", counted)
    tree = load_html(_page(items))
    assert tree is not None
    return lost_list_chars(tree, PROOF), calls


def test_every_lost_item_counts_on_a_small_page(monkeypatch: pytest.MonkeyPatch) -> None:
    lost, reads = _reads(monkeypatch, 10)
    assert lost == 10 * len("one of many prose items that the text does not hold at all")
    assert reads == 11  # the paragraph and the ten items


def test_a_page_of_30000_items_reads_at_most_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    lost, reads = _reads(monkeypatch, 30_000)
    assert reads <= MAX_READS
    assert lost > 0  # what it read still counts
