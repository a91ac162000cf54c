"""Stable article ids derived from the normalised URL."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the visitor; two URLs differing by them are the same page.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "_ga", "ref_src"}
)


def normalize_url(url: str) -> str:
    """Canonical form of ``url`` for identity: lower-case scheme and host, IDNA host,
    default port dropped, fragment and tracking parameters removed, query sorted."""
    import courlan  # here, not at the top: importing it costs the API's cold start ~50 ms

    normalized = courlan.normalize_url(url.strip(), strict=False, trailing_slash=True)
    parts = urlsplit(normalized)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(sorted(query)), ""))


def same_page(url: str, other: str) -> bool:
    """Whether two URLs normalise to the same page (False when either cannot be read)."""
    try:
        return normalize_url(url) == normalize_url(other)
    except ValueError:
        return False


def article_id(url: str, options_key: str = "") -> str:
    """The article id for ``url``: 32 hex digits of SHA-256 over the normalised URL.

    ``options_key`` (``ExtractionOptions.key()``: "" for the default options) makes the same
    URL extracted with other options another article: the digest then covers the normalised
    URL, a newline (never part of a normalised URL) and the key.
    """
    identity = normalize_url(url)
    if options_key:
        identity = f"{identity}\n{options_key}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
