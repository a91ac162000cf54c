"""Language of an extracted text, as an ISO 639-1 code.

The page's declared language (``<html lang>``) is often a template default, so the text
itself decides when it is long enough to judge; the declaration is the fallback.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

logger = logging.getLogger(__name__)

# Calibrated on the seed article and short news teasers: below ~120 characters py3langid's
# normalised probability swings widely, so shorter texts keep the declared language.
MIN_TEXT_CHARS = 120
MIN_PROBABILITY = 0.80
# The classifier's cost grows with the text (its tables are large, so in the pipeline most of
# it is cache misses: ~0.1 ms per 100 characters). Calibration: on the 791 WCXB development
# articles every sample from 200 to 800 characters gives the same language as 1,000 but on one
# page, whose first 1,000 characters end in "Lorem ipsum" filler (la) where 200-800 give its
# real language (en); the French, Spanish and English pages of tests/fixtures and hand-written
# paragraphs in fr, de, es, it, pt and nl come out right from 200 up, whatever the declared
# language. So a short sample is read first and only a doubt reads the longer one: 724 of the
# 791 articles score at least QUICK_PROBABILITY on QUICK_SAMPLE_CHARS, always with the
# language of the 1,000-character sample (none wrong at 0.99; at 0.9 the one above was), and
# the other 67 are read again on SAMPLE_CHARS, which keeps twice the margin for texts that open
# with names or figures. 0.33 ms a page in the pipeline, instead of 0.55 for 400 characters
# every time.
QUICK_SAMPLE_CHARS = 200
QUICK_PROBABILITY = 0.99
SAMPLE_CHARS = 400
_PRIMARY_SUBTAG = re.compile(r"^([a-zA-Z]{2})(?:[-_].*)?$")


_MODEL_LOCK = threading.Lock()
_model: Any = None


def _identifier() -> Any:
    """The py3langid model, loaded once (``core.extract.language_model``: 0.6 s, a tenth of
    that from its cache): threads that ask together wait for that one load instead of each
    loading their own copy."""
    global _model
    if _model is None:
        with _MODEL_LOCK:
            if _model is None:
                from core.extract.language_model import load_identifier

                _model = load_identifier(norm_probs=True)
    return _model


def warm_up() -> None:
    """Load the language model now (about half a second) instead of on the first page."""
    _identifier()


def normalize_declared(value: str | None) -> str | None:
    """``fr-FR`` → ``fr``; anything that is not a two-letter primary subtag → None."""
    if not value:
        return None
    match = _PRIMARY_SUBTAG.match(value.strip())
    return match.group(1).lower() if match else None


def _sample(text: str, chars: int = SAMPLE_CHARS) -> str:
    """The first ``chars`` characters, cut at a space so no word is halved."""
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars]


def _classify(text: str) -> tuple[str, float]:
    """Language and probability: of the quick sample when it is clear, else of the longer one."""
    model = _identifier()
    quick = _sample(text, QUICK_SAMPLE_CHARS)
    code, probability = model.classify(quick)
    if probability < QUICK_PROBABILITY and len(quick) < len(text):
        code, probability = model.classify(_sample(text))
    return str(code), float(probability)


def detect_language(text: str | None, declared: str | None = None) -> str | None:
    """The ISO 639-1 code of ``text``, falling back to the declared language."""
    declared_code = normalize_declared(declared)
    if not text or len(text) < MIN_TEXT_CHARS:
        return declared_code
    code, probability = _classify(text)
    if probability >= MIN_PROBABILITY:
        return code
    return declared_code or code
