"""`extract` on bad input: each item gets a clear error, the others go through."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from article_ingest.offline import _read, expand_paths, extract_file, gunzip_within, read_ahead
from core.models import ArticleStatus


def test_missing_file(tmp_path: Path) -> None:
    result = extract_file(tmp_path / "nope.html")
    assert result.status is ArticleStatus.FAILED
    assert result.error is not None
    assert result.error.code == "unreadable"
    assert result.source.endswith("nope.html")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"  \n")
    assert extract_file(tmp_path / "empty.html").error.code == "empty_file"  # type: ignore[union-attr]


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert extract_file(tmp_path / "image.html").error.code == "not_html"  # type: ignore[union-attr]


def test_html_without_article(tmp_path: Path) -> None:
    (tmp_path / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert extract_file(tmp_path / "nav.html").error.code == "empty_extraction"  # type: ignore[union-attr]


def test_corrupt_gzip(tmp_path: Path) -> None:
    (tmp_path / "bad.html.gz").write_bytes(b"\x1f\x8bnot really gzip")
    assert extract_file(tmp_path / "bad.html.gz").error.code == "unreadable"  # type: ignore[union-attr]


def test_gzip_and_directory_expansion(tmp_path: Path, pages_dir: Path) -> None:
    page = (pages_dir / "huerto-urbano-es.html").read_bytes()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "b.htm").write_bytes(page)
    (tmp_path / "notes.txt").write_text("not html")
    files = list(expand_paths([tmp_path]))
    assert [f.name for f in files] == ["b.htm", "a.html.gz"]
    results = [extract_file(f) for f in files]
    assert {r.language for r in results} == {"es"}
    assert results[0].text == results[1].text


def test_read_ahead_gives_the_bytes_the_worker_would_read(tmp_path: Path) -> None:
    page = b"<html><body><p>" + "ünïcode ".encode() * 500 + b"</p></body></html>"
    plain, packed, members = (tmp_path / n for n in ("a.html", "b.html.gz", "c.html.GZ"))
    plain.write_bytes(page)
    packed.write_bytes(gzip.compress(page))
    members.write_bytes(gzip.compress(page[:100]) + gzip.compress(page[100:]))
    for path in (plain, packed, members):
        assert read_ahead(path) == _read(path) == page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.html.gz", b"\x1f\x8bnot really gzip"),
        # mtime=0: the same bytes, so the same test ids, in every pytest-xdist worker
        ("cut.html.gz", gzip.compress(b"<p>cut short</p>" * 100, mtime=0)[:-12]),
        ("bomb.html.gz", gzip.compress(bytes(2_000_001), mtime=0)),  # over the limit below
    ],
    ids=["bad", "cut", "bomb"],
)
def test_read_ahead_leaves_to_the_worker_what_it_cannot_read(
    tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    assert read_ahead(tmp_path / name, limit=2_000_000) is None
    assert read_ahead(tmp_path / "missing.html") is None


_PAGE = b"<html><body><p>" + b"a page of text " * 400 + b"</p></body></html>"
_ONE = gzip.compress(_PAGE, mtime=0)


@pytest.mark.parametrize(
    "packed",
    [
        _ONE,
        _ONE + b"\x00" * 9,  # zero padding after the member, as tape archivers leave
        gzip.compress(_PAGE[:7], mtime=0) + b"\x00\x00" + gzip.compress(_PAGE[7:], mtime=0),
        gzip.compress(b"", mtime=0),
        b"",
    ],
    ids=["one", "padded", "members", "empty-member", "empty-file"],
)
def test_gunzip_within_reads_what_gzip_reads(packed: bytes) -> None:
    assert gunzip_within(packed, limit=len(_PAGE)) == gzip.decompress(packed)


def test_gunzip_within_stops_past_the_limit() -> None:
    assert gunzip_within(_ONE, limit=len(_PAGE)) == _PAGE
    assert gunzip_within(_ONE, limit=len(_PAGE) - 1) is None
    two = gzip.compress(_PAGE[:100], mtime=0) + gzip.compress(_PAGE[100:], mtime=0)
    assert gunzip_within(two, limit=len(_PAGE) - 1) is None  # over it in the second member


@pytest.mark.parametrize(
    "packed",
    [
        _ONE[:-12],  # cut inside the deflate stream
        _ONE[:-4],  # cut inside the trailer
        _ONE[:-8] + b"\x00\x00\x00\x00" + _ONE[-4:],  # wrong CRC-32
        _ONE + b"not gzip",  # something else after the member
    ],
    ids=["cut", "cut-trailer", "crc", "trailing-garbage"],
)
def test_gunzip_within_refuses_what_gzip_refuses(packed: bytes) -> None:
    with pytest.raises((EOFError, gzip.BadGzipFile)):
        gzip.decompress(packed)
    with pytest.raises((EOFError, zlib.error)):
        gunzip_within(packed, limit=10 * len(_PAGE))
