"""Content-Type header parsing: the one parser (fetcher, file extraction, the API's 415 check).

Parameters are read as the WHATWG MIME Sniffing Standard parses them: ``;``-separated
``name=value`` pairs, names ASCII-lowercased, quoted-string values with ``\\`` escapes, the
first occurrence of a name wins. The charset comes back as the raw label; only
``core.extract.charset.resolve_label`` decides whether it names an encoding. A value that
cannot be a label (not printable ASCII, or longer than ``MAX_LABEL_LENGTH``) comes back as
None: it would be ignored when decoding anyway, and it is kept with the raw page (S3 object
metadata accepts only ASCII, at most 2 KB), so a hostile header must not make storing the page fail.
"""

from __future__ import annotations

import re

_HTTP_WHITESPACE = " \t\r\n"
#: Longer than any WHATWG label (the longest, ``cseucpkdfmtjapanese``, has 19 characters).
MAX_LABEL_LENGTH = 64
_LABEL_LIKE = re.compile(rf"[!-~]{{1,{MAX_LABEL_LENGTH}}}")


def _quoted(value: str, start: int) -> tuple[str, int]:
    """The quoted string opening at ``value[start]`` and the index just past it."""
    out: list[str] = []
    i = start + 1
    while i < len(value):
        char = value[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\" and i + 1 < len(value):
            i += 1
            char = value[i]
        out.append(char)
        i += 1
    return "".join(out), i


def _parameters(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i < len(text):
        i += 1  # past the ";"
        while i < len(text) and text[i] in _HTTP_WHITESPACE:
            i += 1
        end = i
        while end < len(text) and text[end] not in ";=":
            end += 1
        name = text[i:end].lower()
        i = end
        if i >= len(text) or text[i] == ";":
            continue
        i += 1  # past the "="
        if i < len(text) and text[i] == '"':
            value, i = _quoted(text, i)
            while i < len(text) and text[i] != ";":
                i += 1
        else:
            end = text.find(";", i)
            end = len(text) if end < 0 else end
            value, i = text[i:end].rstrip(_HTTP_WHITESPACE), end
            if not value:
                continue
        if name and name not in params:
            params[name] = value
    return params


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """``(mime type, charset label)`` from a Content-Type header, both lowercased.

    ``text/html; charset="Windows-1252"`` → ``("text/html", "windows-1252")``.
    """
    if not header:
        return None, None
    mime, separator, rest = header.strip(_HTTP_WHITESPACE).partition(";")
    charset = _parameters(separator + rest).get("charset")
    charset = charset.strip(_HTTP_WHITESPACE).lower() if charset else None
    if charset is not None and not _LABEL_LIKE.fullmatch(charset):
        charset = None
    return mime.strip(_HTTP_WHITESPACE).lower() or None, charset
