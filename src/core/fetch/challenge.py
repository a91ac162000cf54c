"""Recognise bot-challenge and block pages that a site serves instead of the article."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.fetch.outcomes import FetchResult

logger = logging.getLogger(__name__)

_MARKERS = re.compile(
    "|".join(
        re.escape(m)
        for m in (
            "<title>just a moment...</title>",
            "<title>just a moment</title>",
            "<title>attention required! | cloudflare</title>",
            "cf-browser-verification",
            "/cdn-cgi/challenge-platform/",
            "cf_chl_opt",
            "cf-challenge",
            "checking your browser before accessing",
            "enable javascript and cookies to continue",
            "g-recaptcha",
            "h-captcha",
            "hcaptcha.com/1/api.js",
            "captcha-delivery.com",
            "px-captcha",
            "_incapsula_resource",
            "ddos-guard",
            "awswaf",
            "verify you are human",
            "are you a robot",
            "please complete the security check",
            "<title>access denied</title>",
        )
    )
)
_SCAN_BYTES = 131_072


def looks_like_challenge(result: FetchResult) -> bool:
    """Whether the page is a bot challenge or captcha rather than content.

    Meant for pages where extraction found no article: markers such as Cloudflare's
    "Just a moment...", reCAPTCHA/hCaptcha widgets and WAF block pages are searched in the
    first 128 KiB, case-insensitively.
    """
    if not result.body:
        return False
    head = result.body[:_SCAN_BYTES].decode("latin-1").lower()
    return _MARKERS.search(head) is not None
