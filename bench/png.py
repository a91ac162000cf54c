"""Grouped bar charts as PNG files, in pure Python (zlib + struct), with a 3x5 pixel font.

Small on purpose: ``make bench`` draws its figures without a plotting library. Every chart
is a set of labelled groups, one bar per series, each bar with its value printed above it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

Color = tuple[int, int, int]
SERIES_COLORS: tuple[Color, ...] = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189))
_INK: Color = (40, 40, 40)
_GRID: Color = (225, 225, 225)
# Each glyph: five rows of three bits, top row first.
_FONT = {
    "0": "75557",
    "1": "26227",
    "2": "71747",
    "3": "71717",
    "4": "55711",
    "5": "74717",
    "6": "74757",
    "7": "71111",
    "8": "75757",
    "9": "75717",
    "A": "25755",
    "B": "65656",
    "C": "34443",
    "D": "65556",
    "E": "74647",
    "F": "74644",
    "G": "34553",
    "H": "55755",
    "I": "72227",
    "J": "11153",
    "K": "55655",
    "L": "44447",
    "M": "57755",
    "N": "65555",
    "O": "25552",
    "P": "65644",
    "Q": "25573",
    "R": "65655",
    "S": "34216",
    "T": "72222",
    "U": "55557",
    "V": "55552",
    "W": "55775",
    "X": "55255",
    "Y": "55222",
    "Z": "71247",
    ".": "00002",
    ",": "00024",
    "%": "51245",
    "-": "00700",
    "/": "11244",
    ":": "02020",
    "(": "24442",
    ")": "42224",
    "+": "02720",
    " ": "00000",
    "=": "07070",
    "_": "00007",
    "#": "57575",
    "$": "36736",
}
SCALE = 2


class Canvas:
    """An RGB image to draw rectangles and text on."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def rect(self, x: int, y: int, w: int, h: int, color: Color) -> None:
        """Fill a rectangle (clipped to the canvas)."""
        row = bytes(color) * max(0, min(w, self.width - x))
        for yy in range(max(0, y), min(self.height, y + h)):
            start = (yy * self.width + max(0, x)) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, value: str, color: Color = _INK) -> None:
        """Write ``value`` in capitals with the 3x5 font, top-left at (x, y)."""
        for char in value.upper():
            glyph = _FONT.get(char, _FONT["#"])
            for row, bits in enumerate(glyph):
                for col in range(3):
                    if int(bits) & (4 >> col):
                        self.rect(x + col * SCALE, y + row * SCALE, SCALE, SCALE, color)
            x += 4 * SCALE

    def png(self) -> bytes:
        """The image as PNG bytes."""
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def text_width(value: str) -> int:
    """Pixel width of ``value`` in the chart font."""
    return len(value) * 4 * SCALE


def bar_chart(
    path: Path,
    title: str,
    groups: Sequence[str],
    series: dict[str, Sequence[float]],
    value_format: str = "{:.3f}",
) -> None:
    """Write a grouped bar chart: one group per label, one bar per series, values on top."""
    names = list(series)
    widest = max(
        (text_width(value_format.format(v)) for vs in series.values() for v in vs), default=0
    )
    bar_w, gap, plot_h, margin = max(34, widest + 8), 26, 220, 20
    group_w = bar_w * len(names) + gap
    width = max(margin * 2 + group_w * len(groups), text_width(title) + 2 * margin, 360)
    top = 80
    height = top + plot_h + 70
    canvas = Canvas(width, height)
    canvas.text(margin, 12, title)
    for i, name in enumerate(names):
        x = margin + i * (text_width(name) + 40)
        canvas.rect(x, 34, 12, 12, SERIES_COLORS[i % len(SERIES_COLORS)])
        canvas.text(x + 18, 35, name)
    peak = max((v for values in series.values() for v in values), default=1.0) or 1.0
    base = top + plot_h
    for quarter in range(5):
        canvas.rect(margin, base - plot_h * quarter // 4, width - 2 * margin, 1, _GRID)
    for g, label in enumerate(groups):
        x0 = margin + g * group_w + gap // 2
        for s, name in enumerate(names):
            value = series[name][g]
            h = round(plot_h * value / peak)
            x = x0 + s * bar_w
            canvas.rect(x + 2, base - h, bar_w - 4, h, SERIES_COLORS[s % len(SERIES_COLORS)])
            shown = value_format.format(value)
            canvas.text(x + (bar_w - text_width(shown)) // 2, base - h - 14, shown)
        words, line, lines = label.split(), "", []
        for word in words:
            if line and text_width(f"{line} {word}") > group_w - 4:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        for n, text in enumerate(lines[:4]):
            canvas.text(x0 + (group_w - gap - text_width(text)) // 2, base + 8 + n * 14, text)
    canvas.rect(margin, base, width - 2 * margin, 1, _INK)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canvas.png())
