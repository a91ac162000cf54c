"""Domain errors. They carry a stable code; ``handlers.problems`` maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a caller can act on."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The request or the input file is malformed."""

    code = "invalid_input"


class NotFound(DomainError):
    """No such article (or raw object)."""

    code = "not_found"


class VersionConflict(DomainError):
    """A conditional write lost against a newer version already stored."""

    code = "version_conflict"


class StorageError(DomainError):
    """A backing store failed; the operation may be retried."""

    code = "storage_error"


class ExtractionFailed(DomainError):
    """A page could not be extracted within its budget, or its extraction process died.

    Never retryable: the same bytes would fail the same way. ``code`` is one of
    ``extraction_timeout``, ``too_complex`` or ``extraction_crashed``.
    """

    code = "extraction_failed"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidCursor(InvalidInput):
    """A listing cursor this service did not issue (or for other filters)."""

    code = "invalid_cursor"
