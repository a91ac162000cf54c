"""Guards before parsing refuse what no real page looks like, and no real page."""

from __future__ import annotations

import pytest
from bench.extraction_digest import SHARED, shared_pages
from tests.integration import hostile_pages

from core import page_guards
from core.errors import ExtractionFailed
from core.page_guards import MAX_ATTRIBUTES, MAX_MARKUP, check_complexity, markup_counts


@pytest.mark.parametrize(
    ("page", "words"),
    [
        (hostile_pages.sibling_paragraphs(), "tags"),
        (hostile_pages.deep_nesting(), "tags"),
        (hostile_pages.many_attributes(), "attributes"),
    ],
    ids=["100k-siblings", "deep-nesting", "40k-attributes"],
)
def test_hostile_pages_are_too_complex(page: bytes, words: str) -> None:
    with pytest.raises(ExtractionFailed) as failure:
        check_complexity(page)
    assert failure.value.code == "too_complex"
    assert words in failure.value.message


def test_the_limits_are_limits_not_approximations() -> None:
    check_complexity(b"<p>" * MAX_MARKUP)
    with pytest.raises(ExtractionFailed):
        check_complexity(b"<p>" * (MAX_MARKUP + 1))
    check_complexity(hostile_pages.many_attributes(MAX_ATTRIBUTES))
    with pytest.raises(ExtractionFailed):
        check_complexity(hostile_pages.many_attributes(MAX_ATTRIBUTES + 1))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<",
        b"a=b",
        b"<p class=x>" * 5 + b"=",
        # across the slices the counts are summed over: either side of each boundary
        b"x" * (page_guards._SLICE - 1) + b"<=" + b"y" * page_guards._SLICE + b"=<" * 3,
        bytes(range(256)) * 9000,
    ],
    ids=["empty", "one-tag", "one-equals", "short", "slice-boundaries", "every-byte"],
)
def test_the_counts_are_the_bytes_counts(body: bytes) -> None:
    assert markup_counts(body) == (body.count(b"<"), body.count(b"="))


def test_ordinary_and_merely_large_pages_pass() -> None:
    check_complexity(hostile_pages.normal_page())
    check_complexity(hostile_pages.nested_authors())  # its cost is the byline search's to cut
    # a long script or JSON blob holds many '=' but no long tag
    check_complexity(b"<script>" + b"x=1;" * 50_000 + b"</script><p>text</p>")


@pytest.mark.skipif(not (SHARED / "wcxb-dev-articles").is_dir(), reason="no ../shared/bench")
def test_no_page_of_the_shared_benchmark_is_refused() -> None:
    refused = []
    for name, _, body in shared_pages():
        try:
            check_complexity(body)
        except ExtractionFailed as failure:
            refused.append(f"{name}: {failure.message}")
    assert refused == []
