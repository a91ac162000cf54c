"""Discovery errors: a document refused, or a discovery that found nothing it could read."""

from __future__ import annotations

from core.errors import DomainError


class DocumentRejected(DomainError):
    """A fetched document is not a feed or sitemap, is unsafe or is over a limit.

    ``code``: ``not_a_feed``, ``unsafe_xml`` or ``document_too_large``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class DiscoveryFailed(DomainError):
    """No document of a discovery could be fetched and read; ``code`` says why (a fetch
    outcome such as ``blocked_address`` or ``timeout``, or a ``DocumentRejected`` code).
    Answered 422: the request was understood, the feed or sitemap is unusable."""

    http_status = 422

    def __init__(self, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
