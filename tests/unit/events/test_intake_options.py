"""Extraction options in intake messages and ``IngestRequested``: the request's id is that of
the URL with its options; options only go with one page."""

from __future__ import annotations

import json

import pytest

from core.errors import InvalidInput
from core.events import IngestRequested, IntakeMessage
from core.extraction_options import ExtractionOptions
from core.ids import article_id
from core.intake import to_request
from core.ports import IngestRequest

URL = "https://news.example.com/2024/06/11/story"


def test_a_message_with_options_asks_for_the_article_of_those_options() -> None:
    options = ExtractionOptions(include_links=True, target_language="en")
    message = IntakeMessage.model_validate(
        {"url": URL, "options": {"include_links": True, "target_language": "en"}}
    )
    request = to_request(message)
    assert (request.id, request.options) == (article_id(URL, options.key()), options)
    # what the queue carries reads back as the same request
    again = to_request(IntakeMessage.model_validate_json(request.model_dump_json()))
    assert again == request


def test_default_options_are_the_urls_article() -> None:
    message = IntakeMessage.model_validate({"url": URL, "options": {"favor": "balanced"}})
    request = to_request(message)
    assert (request.id, request.options) == (article_id(URL), None)
    plain = IngestRequest(url=URL, id=article_id(URL), requested_at=request.requested_at)
    assert to_request(IntakeMessage.model_validate_json(plain.model_dump_json())).id == plain.id


def test_an_id_that_is_not_the_one_of_the_url_with_its_options_is_refused() -> None:
    message = IntakeMessage.model_validate(
        {"url": URL, "id": article_id(URL), "options": {"include_comments": True}}
    )
    with pytest.raises(InvalidInput):
        to_request(message)


@pytest.mark.parametrize("kind", ["feed", "sitemap", "site"])
def test_options_go_with_a_feed_sitemap_or_site_too(kind: str) -> None:
    """Options on a discovery message apply to every URL it finds (core.discovery.intake)."""
    message = IntakeMessage.model_validate({kind: URL, "options": {"include_links": True}})
    assert message.discovery_start() == (kind, URL)
    assert message.options is not None
    assert message.options.include_links
    event = IngestRequested.model_validate(
        {
            "event_id": "x",
            "occurred_at": "2024-06-11T08:29:55Z",
            "requested_at": "2024-06-11T08:29:55Z",
            kind: URL,
            "options": {"include_links": True},
        }
    )
    assert event.options is not None
    assert event.options.include_links


def test_ingest_requested_of_a_url_with_options_is_an_intake_message() -> None:
    options = ExtractionOptions(favor="precision")
    event = IngestRequested.of(URL, requested_by="tests", options=options)
    detail = json.loads(event.model_dump_json())
    assert to_request(IntakeMessage.model_validate(detail)).id == article_id(URL, options.key())
