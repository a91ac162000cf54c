"""The JSON Schema of a discovery's start URLs says what the URL parser requires."""

from __future__ import annotations

import re

import pytest

from core.discovery.models import START_FIELDS, START_URL_PATTERN, DiscoveryRequest
from core.fetch import FetchPolicy
from core.fetch.outcomes import UrlRejected
from core.fetch.urls import validate_url

ACCEPTED = [
    "http://example.com/feed.xml",
    "HTTPS://Example.COM",
    "  https://example.com:8443/sitemap.xml.gz?x=1#top ",
    "http://xn--bcher-kva.example/",
    "https://bücher.example/feed",
]
REFUSED = [
    "example.com/feed.xml",
    "ftp://example.com/feed",
    "http://",
    "http:///feed",
    "https://user:pw@example.com/feed",
    "http://exa\\mple.com/",
    "http://exa mple.com/",
    "0",
]


def test_every_start_field_documents_the_pattern() -> None:
    properties = DiscoveryRequest.model_json_schema()["properties"]
    for name in START_FIELDS:
        assert properties[name]["pattern"] == START_URL_PATTERN
    (webhook,) = [s for s in properties["webhook"]["anyOf"] if s.get("type") == "string"]
    assert webhook["pattern"] == START_URL_PATTERN


@pytest.mark.parametrize("url", ACCEPTED)
def test_urls_the_parser_accepts_match_the_pattern(url: str) -> None:
    validate_url(url, FetchPolicy(allowed_ports=[80, 443, 8443]))
    assert re.search(START_URL_PATTERN, url)


@pytest.mark.parametrize("url", REFUSED)
def test_urls_the_pattern_refuses_the_parser_refuses(url: str) -> None:
    assert not re.search(START_URL_PATTERN, url)
    with pytest.raises(UrlRejected):
        validate_url(url, FetchPolicy())
