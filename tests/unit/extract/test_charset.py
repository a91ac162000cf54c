"""WHATWG-style decoding: BOM, HTTP charset, meta prescan, detection, browser fallback."""

from __future__ import annotations

import codecs

import pytest

from core.extract.charset import decode_html, resolve_label

FRENCH = "<p>L’été à Noël, «déjà» Œuvre</p>"


def test_bom_wins_over_everything() -> None:
    body = codecs.BOM_UTF8 + f'<meta charset="windows-1252">{FRENCH}'.encode()
    decoded = decode_html(body, "iso-8859-2")
    assert decoded.source == "bom"
    assert FRENCH in decoded.text


def test_utf16_bom() -> None:
    decoded = decode_html(codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"))
    assert decoded.text == FRENCH


def test_http_charset_before_meta() -> None:
    body = f'<meta charset="utf-8">{FRENCH}'.encode("cp1252")
    decoded = decode_html(body, "windows-1252")
    assert (decoded.source, decoded.encoding) == ("http", "cp1252")
    assert FRENCH in decoded.text


def test_meta_charset_when_http_is_silent() -> None:
    body = f'<meta http-equiv="Content-Type" content="text/html; charset=Windows-1252">{FRENCH}'
    decoded = decode_html(body.encode("cp1252"))
    assert (decoded.source, decoded.encoding) == ("meta", "cp1252")
    assert FRENCH in decoded.text


def test_latin1_label_means_windows_1252() -> None:
    decoded = decode_html("‘quoted’".encode("cp1252"), "ISO-8859-1")
    assert decoded.text == "‘quoted’"


def test_undeclared_utf8_is_detected() -> None:
    decoded = decode_html(FRENCH.encode("utf-8") * 20)
    assert (decoded.source, decoded.encoding) == ("detected", "utf-8")


def test_undeclared_legacy_latin_falls_back_to_windows_1252() -> None:
    decoded = decode_html((FRENCH * 20).encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert FRENCH in decoded.text


def test_undeclared_cyrillic_is_detected() -> None:
    text = "<p>Президент заявил, что переговоры продолжатся на следующей неделе в Москве.</p>"
    decoded = decode_html((text * 10).encode("cp1251"))
    assert text in decoded.text


def test_unknown_http_label_is_ignored() -> None:
    decoded = decode_html(f'<meta charset="utf-8">{FRENCH}'.encode(), "no-such-charset")
    assert decoded.source == "meta"
    assert FRENCH in decoded.text


def test_undecodable_bytes_never_raise() -> None:
    decoded = decode_html(b"<p>\xff\xfe\xfa broken \x81</p>", "utf-8")
    assert "broken" in decoded.text


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        (FRENCH.encode(), None),
        (FRENCH.encode(), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode(), "windows-1252"),
        (f'<meta charset="utf-8">{FRENCH}'.encode(), None),
        ("<p>a literal \ufffd stays</p>".encode(), "utf-8"),
    ],
)
def test_clean_utf8_comes_with_its_bytes(body: bytes, charset: str | None) -> None:
    decoded = decode_html(body, charset)
    assert decoded.utf8 is not None
    assert decoded.utf8 == decoded.text.encode("utf-8")


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        (b"<p>\xff\xfe\xfa broken \x81</p>", "utf-8"),
        (FRENCH.encode("cp1252"), "windows-1252"),
        (codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), None),
    ],
)
def test_other_pages_come_without_bytes(body: bytes, charset: str | None) -> None:
    assert decode_html(body, charset).utf8 is None


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf8", "utf-8"),
        ("latin1", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("gb2312", "gb18030"),
        ("bogus", None),
        (None, None),
        ("base64", None),
        ("rot13", None),
        ("zip", None),
        ("utf-7", None),
        ("UTF7", None),
    ],
)
def test_labels(label: str | None, codec: str | None) -> None:
    assert resolve_label(label) == codec


def test_non_text_codec_in_header_is_ignored() -> None:
    decoded = decode_html(b"<p>plain</p>", "base64")
    assert decoded.text == "<p>plain</p>"
