"""The report's section on ``GET /articles/{id}/text`` reads what the benchmark writes."""

from __future__ import annotations

from bench.render_latency import summary
from bench.report import render_latency
from tests.unit.bench.test_bench_pagetypes import MACHINE


def test_summary_in_milliseconds() -> None:
    assert summary([0.1, 0.2, 0.3, 0.4]) == {"mean_ms": 250.0, "p50_ms": 250.0, "p95_ms": 400.0}


def test_report_section_compares_each_format_with_bare_trafilatura() -> None:
    route = {**summary([0.2, 0.2]), "answered_200": 2, "other_status": [], "mean_vs_bare": 2.0}
    result = {
        "step": 15,
        "pages_posted": 2,
        "articles_stored": 2,
        "get_text": {"txt": route, "markdown": route, "html": route},
        "bare_trafilatura_in_process": {"txt": summary([0.1]), "markdown": summary([0.1])},
        "render_markdown_in_process": {"unguided": summary([0.1]), "guided": summary([0.15])},
        "load_average_1min": 0.5,
        "machine": MACHINE,
        "command": "python -m bench.render_latency",
    }
    text = "\n".join(render_latency(result))
    assert "| `format=markdown` | 200 / 200 / 200 | 100 / 100 / 100 | 2.00 | 2 |" in text
    assert "every 15th" in text
    assert "150 ms a page against 100 ms" in text
    assert "(1.50×)" in text
