"""RawHtmlStore contract: the same tests for the filesystem and the S3 store."""

from __future__ import annotations

import hashlib

import pytest

from core.adapters.aws.clients import AwsClients
from core.errors import InvalidInput, NotFound
from core.ports import RawPage
from core.settings import Settings
from tests.contract.conftest import Family, gunzip

ARTICLE_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def page(body: bytes, article_id: str = ARTICLE_ID) -> RawPage:
    return RawPage(
        article_id=article_id,
        content_sha256=hashlib.sha256(body).hexdigest(),
        body=body,
        content_type="text/html; charset=windows-1252",
        charset="windows-1252",
    )


def test_put_then_get_returns_the_exact_bytes(family: Family) -> None:
    body = "<html><body><p>Caf\xe9 \u2014 na\xefve</p></body></html>".encode("cp1252") + b"\x00\xff"
    uri = family.raw.put(page(body))
    assert family.raw.get(uri) == body
    assert family.raw.exists(uri)


def test_bytes_are_gzip_at_rest(family: Family) -> None:
    body = b"<html>" + b"<p>repeated paragraph</p>" * 200 + b"</html>"
    uri = family.raw.put(page(body))
    at_rest = family.stored_bytes(uri)
    assert gunzip(at_rest) == body
    assert len(at_rest) < len(body) / 5


def test_key_is_derived_from_article_id_and_content_hash(family: Family) -> None:
    first, second = page(b"<p>version one</p>"), page(b"<p>version two</p>")
    uri_first, uri_second = family.raw.put(first), family.raw.put(second)
    assert ARTICLE_ID in uri_first
    assert first.content_sha256 in uri_first
    assert second.content_sha256 in uri_second
    assert uri_first != uri_second
    assert family.raw.get(uri_first) == first.body
    assert family.raw.get(uri_second) == second.body


def test_put_is_idempotent(family: Family) -> None:
    raw = page(b"<p>same bytes</p>")
    assert family.raw.put(raw) == family.raw.put(raw)
    assert family.raw.get(family.raw.put(raw)) == raw.body


def test_missing_object_is_not_found(family: Family) -> None:
    stored = page(b"<p>stored</p>")
    uri = family.raw.put(stored)
    missing = uri.replace(stored.content_sha256, hashlib.sha256(b"never stored").hexdigest())
    assert not family.raw.exists(missing)
    with pytest.raises(NotFound):
        family.raw.get(missing)


def test_empty_body_round_trips(family: Family) -> None:
    uri = family.raw.put(page(b""))
    assert family.raw.get(uri) == b""


def test_hash_that_does_not_match_the_body_is_refused(family: Family) -> None:
    forged = RawPage(
        article_id=ARTICLE_ID,
        content_sha256=hashlib.sha256(b"other bytes").hexdigest(),
        body=b"<p>these bytes</p>",
    )
    with pytest.raises(InvalidInput):
        family.raw.put(forged)


@pytest.mark.aws
def test_presigned_url_downloads_the_original_bytes_as_an_attachment(
    aws_settings: Settings, aws_clients: AwsClients
) -> None:
    import gzip
    import urllib.request

    from core.adapters.aws.s3_raw_store import S3RawStore

    store = S3RawStore(aws_settings, aws_clients)
    body = "<html><body><p>Grüße — été</p></body></html>".encode()
    uri = store.put(page(body))
    url = store.presigned_url(uri, 60)
    assert url.startswith(aws_settings.aws_endpoint_url or "")
    with urllib.request.urlopen(url, timeout=10) as response:  # the local moto server
        data = response.read()
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        encoding = response.headers.get("Content-Encoding")
    assert (gzip.decompress(data) if encoding == "gzip" else data) == body
