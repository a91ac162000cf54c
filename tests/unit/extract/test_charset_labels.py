"""Only WHATWG Encoding Standard labels are honoured, in the header and in ``<meta>``; any other
label is ignored as a browser ignores it, and decoding never raises."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from article_ingest.offline import extract_file
from core.encoding_labels import ENCODINGS, LABELS
from core.extract.charset import decode_html, resolve_label
from core.media_type import parse_content_type
from core.models import ArticleStatus

FRENCH = "<p>L’été à Noël, «déjà» Œuvre</p>"
# Labels browsers do not know; Python's codec registry knows every one of them, and the
# first three raise inside ``bytes.decode(..., "replace")``.
FOREIGN_LABELS = [
    "idna",
    "punycode",
    "undefined",
    "rot13",
    "base64",
    "zlib",
    "uu",
    "hex",
    "bz2",
    "quopri",
    "utf-7",
    "utf-32",
    "utf_8_sig",
    "unicode_escape",
    "raw_unicode_escape",
    "mbcs",
    "palmos",
    "cp037",
    "cp1006",
    "latin-1",  # Python's spelling; the Standard has latin1 and l1
]


@pytest.mark.parametrize("label", FOREIGN_LABELS)
def test_a_label_browsers_do_not_know_is_ignored_in_the_header(label: str) -> None:
    body = f"<html><body>{FRENCH}</body></html>".encode("cp1252")
    decoded = decode_html(body, label)
    assert decoded.source != "http"
    assert (decoded.encoding, decoded.source) == ("cp1252", "fallback")
    assert FRENCH in decoded.text


@pytest.mark.parametrize("label", FOREIGN_LABELS)
def test_a_label_browsers_do_not_know_is_ignored_in_meta(label: str) -> None:
    body = f'<meta charset="{label}"><meta charset="utf-8">{FRENCH}'.encode()
    decoded = decode_html(body)
    # The prescan goes on to the next <meta>, as a browser's does.
    assert (decoded.encoding, decoded.source) == ("utf-8", "meta")
    assert FRENCH in decoded.text


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined"])
def test_labels_that_used_to_raise_decode_undeclared_utf8(label: str) -> None:
    body = f'<meta charset="{label}">{FRENCH}'.encode()
    assert FRENCH in decode_html(body, label).text


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF8", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
        ("x-unicode20utf8", "utf-8"),
        (" \tLatin1\n", "cp1252"),
        ("ascii", "cp1252"),
        ("ISO_8859-1:1987", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("tis-620", "cp874"),
        ("GBK", "gb18030"),
        ("csshiftjis", "cp932"),
        ("windows-31j", "cp932"),
        ("ks_c_5601-1987", "cp949"),
        ("big5", "big5hkscs"),
        ("iso-8859-8-i", "iso8859-8"),
        ("koi8-ru", "koi8-u"),
        ("x-mac-ukrainian", "mac-cyrillic"),
        ("macintosh", "mac-roman"),
        ("ucs-2", "utf-16-le"),
        ("unicodefffe", "utf-16-be"),
        ("iso-2022-kr", "replacement"),
        ("hz-gb-2312", "replacement"),
        ("x-user-defined", "x-user-defined"),
        ("utf\u0131-8", None),  # no Unicode case folding into a label
    ],
)
def test_whatwg_labels(label: str, codec: str | None) -> None:
    assert resolve_label(label) == codec


def test_every_encoding_decodes_anything_without_raising() -> None:
    hostile = bytes(range(256)) * 4 + b"\x1b$B\x1b(J\x0e\x0f~{~}+-\\"
    for codec in sorted(ENCODINGS):
        decode_html(hostile, next(label for label, c in LABELS.items() if c == codec))


def test_replacement_labels_decode_as_one_replacement_character() -> None:
    """A browser renders a page declared ISO-2022-KR (an XSS vector) as a single U+FFFD."""
    body = b"<p>\x1b$)C\x0e!!\x0f<script>alert(1)</script></p>"
    assert decode_html(body, "iso-2022-kr").text == "\ufffd"
    assert decode_html(b'<meta charset="csiso2022kr">' + body).text == "\ufffd"


def test_x_user_defined_maps_high_bytes_to_the_private_use_area() -> None:
    assert decode_html(b"<p>a\x80\xff</p>", "x-user-defined").text == "<p>a\uf780\uf7ff</p>"
    # In <meta> it means windows-1252 (HTML's prescan rule).
    meta = decode_html(b'<meta charset="x-user-defined"><p>\x93q\x94</p>')
    assert (meta.encoding, meta.source) == ("cp1252", "meta")
    assert "“q”" in meta.text


def test_utf16_label_decodes_little_endian_from_the_header_only() -> None:
    assert decode_html(FRENCH.encode("utf-16-le"), "utf-16").text == FRENCH
    assert decode_html(f'<meta charset="utf-16">{FRENCH}'.encode()).encoding == "utf-8"


def test_detection_only_guesses_encodings_browsers_know() -> None:
    """An undeclared Latin page is not guessed as, say, cp1006 (Urdu)."""
    decoded = decode_html(b"<html><body>hello \xe9 world</body></html>")
    assert decoded.encoding in ENCODINGS
    assert decoded.text == "<html><body>hello é world</body></html>"


def test_a_stored_encoding_reads_the_page_back_the_same_way() -> None:
    body = ("<p>" + "한국어 텍스트입니다. " * 10 + "</p>").encode("cp949")
    first = decode_html(body, "euc-kr")
    assert first.encoding == "cp949"  # not itself a WHATWG label
    again = decode_html(body, encoding=first.encoding)
    assert (again.text, again.encoding) == (first.text, "cp949")
    # A stored value that is no encoding of ours is sniffed again, never raised on.
    assert decode_html(b"<p>x</p>", encoding="idna").text == "<p>x</p>"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('text/html; charset="utf-8;x"', ("text/html", "utf-8;x")),
        ("text/html;charset=UTF-8;charset=latin1", ("text/html", "utf-8")),
        ("text/html; charset=; charset=koi8-r", ("text/html", "koi8-r")),
        ('text/html; charset="a\\"b"', ("text/html", 'a"b')),
        ("text/html; CHARSET = idna", ("text/html", None)),  # "charset " is another name
        ("text/html; charset=idna", ("text/html", "idna")),
        ("text/html; foo; charset=x-sjis", ("text/html", "x-sjis")),
        (" TEXT/HTML ", ("text/html", None)),
        # Never a label; kept out of the raw page's S3 metadata (ASCII only, 2 KB at most).
        ("text/html; charset=\u00e9", ("text/html", None)),
        ("text/html; charset=utf\x7f8", ("text/html", None)),
        ('text/html; charset="utf 8"', ("text/html", None)),
        ("text/html; charset=" + "a" * 3000, ("text/html", None)),
    ],
)
def test_content_type_parameters(header: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_content_type(header) == expected


def test_fetcher_and_offline_extraction_parse_content_type_alike() -> None:
    from article_ingest import offline
    from core.fetch import content_type

    assert vars(offline)["parse_content_type"] is parse_content_type
    assert content_type.parse_content_type is parse_content_type


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined", "utf-7", "base64"])
def test_offline_extraction_with_a_foreign_charset_extracts(label: str, pages_dir: Path) -> None:
    page = pages_dir / "harbour-solar-ferry-en.html"
    result = extract_file(page, "https://example.org/ferry", f"text/html; charset={label}")
    assert result.status is ArticleStatus.EXTRACTED, result.error
    assert result.charset == "utf-8"


def test_offline_extraction_of_a_replacement_page_fails_cleanly(pages_dir: Path) -> None:
    page = pages_dir / "harbour-solar-ferry-en.html"
    result = extract_file(page, "https://example.org/ferry", "text/html; charset=iso-2022-kr")
    assert result.status is ArticleStatus.FAILED
    assert result.error is not None
    assert result.error.code == "empty_extraction"


def test_bom_still_wins() -> None:
    body = codecs.BOM_UTF8 + FRENCH.encode()
    assert decode_html(body, "idna").text == FRENCH
