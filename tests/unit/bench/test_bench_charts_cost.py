"""The PNG chart writer and the DynamoDB request-unit arithmetic of the cost benchmark."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from bench.cost import Tally, item_size, read_units, write_units
from bench.png import _FONT, bar_chart


def test_bar_chart_writes_a_valid_png(tmp_path: Path) -> None:
    target = tmp_path / "chart.png"
    bar_chart(target, "Title 1", ["a", "b"], {"ours": [1.0, 2.0], "theirs": [0.5, 0.0]})
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    width, height = struct.unpack(">II", data[16:24])
    assert (length, kind) == (13, b"IHDR")
    assert width >= 360
    assert height > 200
    idat = data.index(b"IDAT")
    size = struct.unpack(">I", data[idat - 4 : idat])[0]
    raw = zlib.decompress(data[idat + 4 : idat + 4 + size])
    assert len(raw) == height * (1 + width * 3)


def test_every_glyph_has_five_rows_of_three_bits() -> None:
    assert all(len(rows) == 5 and all(int(r) < 8 for r in rows) for rows in _FONT.values())


def test_item_size_and_request_units() -> None:
    item = {"pk": {"S": "DOC#1"}, "n": {"N": "42"}, "tags": {"L": [{"S": "ab"}]}}
    assert item_size(item) == (2 + 5) + (1 + 2) + (4 + 3 + 2 + 1)
    big = {"text": {"S": "x" * 3000}}
    assert write_units(big) == 3
    assert write_units(big, transactional=True) == 6
    assert read_units(big, consistent=True) == 1
    assert read_units(big, consistent=False) == 0.5


def test_tally_counts_calls_and_units() -> None:
    tally = Tally()
    tally.record("dynamodb", "PutItem", {"Item": {"pk": {"S": "a"}}}, {})
    tally.record(
        "dynamodb",
        "TransactWriteItems",
        {"TransactItems": [{"Update": {"Key": {"pk": {"S": "a"}}}}] * 3},
        {},
    )
    tally.record("s3", "PutObject", {}, {})
    assert tally.calls == {
        "dynamodb:PutItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "s3:PutObject": 1,
    }
    assert tally.write_units == 1 + 3 * 2
