"""Conditional refetches: the fetcher sends the stored ETag / Last-Modified of a page (never
to robots.txt), reports a 304 as ``not_modified`` and returns the validators of a 200."""

from __future__ import annotations

from collections.abc import Callable

from fetch_testnet import VALIDATED_ETAG, VALIDATED_LAST_MODIFIED, CountingServer

from core.fetch import FetchOutcome, SafeFetcher, Validators


def test_a_200_carries_its_validators(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(f"http://public.test:{site.port}/validated")
    assert result.ok
    assert (result.etag, result.last_modified) == (VALIDATED_ETAG, VALIDATED_LAST_MODIFIED)


def test_matching_validators_end_as_not_modified(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    url = f"http://public.test:{site.port}/validated"
    for validators in (
        Validators(etag=VALIDATED_ETAG),
        Validators(last_modified=VALIDATED_LAST_MODIFIED),
    ):
        result = make_fetcher().fetch(url, validators=validators)
        assert result.outcome is FetchOutcome.NOT_MODIFIED
        assert result.not_modified
        assert not result.ok
        assert not result.retryable
        assert result.body == b""
        assert result.http_status == 304


def test_stale_validators_get_the_page(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(
        f"http://public.test:{site.port}/validated", validators=Validators(etag='"v0"')
    )
    assert result.ok
    assert result.etag == VALIDATED_ETAG


def test_robots_txt_is_never_asked_conditionally(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    before = len(site.requests)
    result = make_fetcher().fetch(
        f"http://robots.test:{site.port}/article", validators=Validators(etag='"v0"')
    )
    assert result.ok
    sent = dict(site.requests[before:])
    assert "If-None-Match" not in sent["/robots.txt"]
    assert sent["/article"]["If-None-Match"] == '"v0"'


def test_a_304_that_was_not_asked_for_is_an_http_error(
    make_fetcher: Callable[..., SafeFetcher], site: CountingServer
) -> None:
    result = make_fetcher().fetch(f"http://public.test:{site.port}/always-304")
    assert result.outcome is FetchOutcome.HTTP_ERROR


def test_validators_unfit_for_a_header_are_not_sent() -> None:
    assert Validators(etag='"a"\r\nX-Injected: 1', last_modified="x" * 600).headers() == {}
    assert Validators(etag='W/"a"', last_modified="").headers() == {"If-None-Match": 'W/"a"'}
