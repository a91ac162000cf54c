"""The page-type benchmark's confusion matrix and its report section."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import report
from bench.pagetypes import GROUPS, TYPES, confusion, group_rows
from bench.scoring import score_page, summarize

#: What ``bench.machine.describe`` records, as the report reads it.
MACHINE = {
    "nproc": 2,
    "cpu": "test",
    "python": "3.12",
    "trafilatura": "2.3.1",
    "lxml": "6",
    "date": "today",
}


def test_confusion_counts_every_label_against_every_prediction() -> None:
    rows = [
        {"label": "forum", "predicted": "forum"},
        {"label": "forum", "predicted": "article"},
        {"label": "article", "predicted": "article"},
        {"label": "product", "predicted": "none"},
    ]
    matrix = confusion(rows)
    assert list(matrix) == list(TYPES)
    assert matrix["forum"] == {"article": 1, "forum": 1, "none": 0}
    assert matrix["product"]["none"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == len(rows)


def test_groups_leave_out_pages_without_a_truth_only_where_they_say_so() -> None:
    rows = [
        {"label": "article", "has_truth": True},
        {"label": "forum", "has_truth": False},
        {"label": "forum", "has_truth": True},
    ]
    assert group_rows(rows, "all") == rows
    assert group_rows(rows, "all with a truth") == [rows[0], rows[2]]
    assert group_rows(rows, "forum") == rows[1:]
    assert group_rows(rows, "other six") == rows[1:]
    assert set(GROUPS) >= {*TYPES, "all", "all with a truth"}


def test_report_section_shows_each_type_next_to_trafilatura(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "IMG", tmp_path)
    truth = {"main_content": "one two three four", "with": ["two three"], "without": ["menu"]}
    good = summarize([score_page("one two three four", None, None, None, truth)])
    poor = summarize([score_page("one menu", None, None, None, truth)])
    numbers = {"pages": 1, "ours": good, "trafilatura": poor}
    result = {
        "command": "python -m bench.pagetypes",
        "machine": MACHINE,
        "pages": 2,
        "classifier_accuracy": 0.5,
        "confusion": confusion(
            [{"label": "forum", "predicted": "forum"}, {"label": "listing", "predicted": "article"}]
        ),
        "per_type": {
            "forum": numbers,
            "listing": numbers,
            "all": numbers,
            "all with a truth": numbers,
        },
        "speed_ratio": 1.04,
    }
    text = "\n".join(report.pagetypes(result))
    assert "| forum | 1 | 1.000 | 0.333 | 1.000 / 0.000 | 0.000 / 1.000 |" in text
    assert "| **all with a truth** | 1 | 1.000 | 0.333 |" in text
    assert "| listing | 1 | 0 |" in text  # columns: the predicted types, article and forum
    assert "**0.500**" in text
    assert "**1.040**" in text
    assert (tmp_path / "pagetypes.png").read_bytes()[:4] == b"\x89PNG"
