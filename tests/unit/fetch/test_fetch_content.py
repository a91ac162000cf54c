"""Content-Type, challenge detection, Retry-After and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.fetch import (
    DEFAULT_RETRYABLE,
    FetchOutcome,
    FetchResult,
    looks_like_challenge,
    parse_content_type,
    parse_retry_after,
)
from core.fetch.content_type import sniff_html


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (None, None)),
        ("text/html", ("text/html", None)),
        ("Text/HTML; Charset=UTF-8", ("text/html", "utf-8")),
        ('application/xhtml+xml; charset="ISO-8859-1"', ("application/xhtml+xml", "iso-8859-1")),
        ("text/html; foo=bar; charset=windows-1252", ("text/html", "windows-1252")),
        ("text/html; charset=", ("text/html", None)),
    ],
)
def test_parse_content_type(header: str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_content_type(header) == expected


def test_sniff_html() -> None:
    assert sniff_html(b"\n  <!DOCTYPE html><html>")
    assert sniff_html(b"<HTML><body>")
    assert not sniff_html(b"%PDF-1.7")
    assert not sniff_html(b'{"json": true}')


def result(body: bytes) -> FetchResult:
    return FetchResult("https://x.example/", FetchOutcome.OK, "", False, body=body)


@pytest.mark.parametrize(
    "body",
    [
        b"<html><head><title>Just a moment...</title></head></html>",
        b"<div class='g-recaptcha' data-sitekey='x'></div>",
        b"<script src='https://ct.captcha-delivery.com/c.js'></script>",
        b"<TITLE>Attention Required! | Cloudflare</TITLE>",
        b"<p>Please verify you are human</p>",
    ],
)
def test_challenge_pages(body: bytes) -> None:
    assert looks_like_challenge(result(body))


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><title>Just a moment in history</title><p>An article.</p></html>"],
)
def test_not_challenge_pages(body: bytes) -> None:
    assert not looks_like_challenge(result(body))


def test_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("9999999999", now) == 86_400.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_every_outcome_has_retry_advice_and_result_maps_to_error() -> None:
    assert set(DEFAULT_RETRYABLE) == set(FetchOutcome)
    failed = FetchResult(
        "https://x.example/",
        FetchOutcome.BLOCKED_BY_SITE,
        "rate limited",
        True,
        http_status=429,
        retry_after_s=30.0,
    )
    error = failed.to_error()
    assert (error.code, error.message, error.retryable) == ("blocked_by_site", "rate limited", True)
    assert (error.http_status, error.retry_after_s) == (429, 30.0)
    assert not failed.ok
    assert result(b"<p>x</p>").ok
