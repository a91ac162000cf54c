"""The ingest progress bar (rate, ETA) and the note on the per-host delay."""

from __future__ import annotations

import io

import pytest

from article_ingest.progress import Progress, duration, pace_note


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_rate_and_time_left() -> None:
    clock, out = Clock(), Terminal()
    progress = Progress(120, "ingest", stream=out, clock=clock)
    clock.now += 10.0
    for _ in range(20):
        progress.advance()
    progress.advance(failed=True)
    clock.now += 0.5
    line = progress.line()
    assert line.startswith("ingest [#####")
    assert "21/120 (1 failed)" in line
    assert line.endswith(" 2/s ETA 50 s")  # 21 in 10.5 s; 99 left at 2/s
    assert out.getvalue().count("\r") == 21
    progress.close()
    assert out.getvalue().endswith("\n")


def test_no_rate_before_the_first_item_and_nothing_drawn_off_a_terminal() -> None:
    clock, out = Clock(), io.StringIO()
    progress = Progress(3, "ingest", stream=out, clock=clock)
    assert progress.line() == "ingest [" + "." * 30 + "] 0/3 (0 failed)"
    progress.advance()
    progress.close()
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 s"),
        (59, "59 s"),
        (89.4, "89 s"),
        (119, "2 min"),
        (3599, "60 min"),
        (5400, "1 h 30 min"),
        (7260, "2 h 01 min"),
    ],
)
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_pace_note_for_urls_on_one_host() -> None:
    urls = [f"https://news.example/{i}" for i in range(120)]
    assert pace_note(urls, 1.0) == (
        "120 URLs on 1 host: at least 2 min at 1 request/s per host;"
        " set ARTICLE_INGEST_PER_HOST_DELAY_S to change the delay"
    )


def test_pace_note_names_the_busiest_host_and_counts_a_url_once() -> None:
    urls = [f"https://a.example/{i}" for i in range(10)] + ["https://B.example./x"] * 3
    note = pace_note([*urls, "not a url", "http://[::1/"], 0.5)
    assert note is not None
    assert note.startswith("11 URLs on 2 hosts (up to 10 on one): at least 4 s at 2 request/s")


@pytest.mark.parametrize(
    ("urls", "delay"),
    [
        ([f"https://h{i}.example/" for i in range(50)], 1.0),  # no host shared
        (["https://a.example/1", "https://a.example/2"], 1.0),  # 1 s: not worth a note
        ([f"https://a.example/{i}" for i in range(50)], 0.0),  # no delay
        ([], 1.0),
    ],
)
def test_no_pace_note_when_the_delay_costs_little(urls: list[str], delay: float) -> None:
    assert pace_note(urls, delay) is None
