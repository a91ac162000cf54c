"""Write ``docs/benchmarks.md`` and ``docs/img/*.png`` from ``bench/out/*.json``.

Every section names the command that produced its numbers and the machine it ran on; a
section whose result file is missing says so instead of showing stale numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.png import bar_chart

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
DOCS = REPO / "docs"
IMG = DOCS / "img"


def _load(name: str) -> dict[str, Any] | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _machine(result: dict[str, Any]) -> str:
    m = result["machine"]
    return (
        f"`{result.get('command', '?')}` — {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, "
        f"trafilatura {m['trafilatura']}, lxml {m['lxml']}, {m['date']}"
    )


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


QUALITY_ROWS = (
    ("f1", "mean word F1"),
    ("precision", "mean word precision"),
    ("recall", "mean word recall"),
    ("with_found", "`with` snippets found"),
    ("without_kept", "`without` snippets kept (lower is better)"),
    ("title_exact", "title exact match"),
    ("author_exact", "author exact match (no author = match)"),
    ("author_exact_when_known", "author exact, pages with an author"),
    ("date_exact", "date exact match (no date = match)"),
    ("date_exact_when_known", "date exact, pages with a date"),
    ("date_correct_when_given", "date correct when one is given"),
)


def quality(result: dict[str, Any]) -> list[str]:
    """Section 1."""
    s = result["summary"]
    data = result["dataset"]
    lines = [
        "## 1. Extraction quality",
        "",
        f"Data: WCXB development set, article pages — **{data['name']} set, {data['pages']} "
        f"pages** (`{Path(data['root']).name}`; CC-BY-4.0, Murrough Foley 2026). "
        "Ours: `core.extract.assemble.assemble` (title in its own field, not in the text). "
        "trafilatura: `trafilatura.extract(html, include_comments=False)` on the same bytes; its "
        "metadata column is `trafilatura.extract_metadata` (what `with_metadata=True` adds).",
        "",
        f"Measured with {_machine(result)}.",
        "",
    ]
    rows = [
        [label, f"{s['ours'][key]:.3f}", f"{s['trafilatura'][key]:.3f}"]
        for key, label in QUALITY_ROWS
    ]
    lines += _table(["metric", "ours", "bare trafilatura"], rows)
    in_text = s.get("ours_title_in_text")
    if in_text:
        lines += [
            "",
            f"The reference text rarely starts with the title, so keeping the title line in our "
            f"text would lower F1 from {s['ours']['f1']:.3f} to {in_text['f1']:.3f} (precision "
            f"{in_text['precision']:.3f}); the title stays in its own field.",
        ]
    bar_chart(
        IMG / "quality.png",
        f"Extraction quality, WCXB articles ({data['pages']} pages)",
        ["word F1", "with found", "without kept", "title exact", "author exact", "date exact"],
        {
            name: [
                s[name][k]
                for k in (
                    "f1",
                    "with_found",
                    "without_kept",
                    "title_exact",
                    "author_exact",
                    "date_exact",
                )
            ]
            for name in ("ours", "trafilatura")
        },
    )
    lines += ["", "![Extraction quality](img/quality.png)", ""]
    lines += [
        "What these numbers made us change in `core/extract/` and `core/extract/language.py` "
        "(before = trafilatura's own metadata, the right-hand column):",
        "",
        f"- title: the `<h1>` that agrees with the declared title instead of the declared "
        f"title ({s['trafilatura']['title_exact']:.3f} → {s['ours']['title_exact']:.3f});",
        f"- date: htmldate without its extensive free-text search: exact "
        f"{s['trafilatura']['date_exact']:.3f} → {s['ours']['date_exact']:.3f}, correct when "
        f"given {s['trafilatura']['date_correct_when_given']:.3f} → "
        f"{s['ours']['date_correct_when_given']:.3f}, found on pages with a date "
        f"{s['trafilatura']['date_exact_when_known']:.3f} → "
        f"{s['ours']['date_exact_when_known']:.3f} (fewer wrong dates, a few more missing);",
        "- author: trafilatura's byline fallback without its copy of the whole tree "
        "(the same byline on 792 of the 793 pages, in less time); categories and tags as "
        "declared by the page; no licence;",
        "- parsing: one parse with lxml's element class chosen in C (same text, ~10% faster);",
        "- language: the first 200 characters, cut at a word, and the first 400 only when "
        "the classifier is less than 99% sure (724 of 791 articles are decided on 200), "
        "instead of 4,000 (same language on every page of this set but one, whose first "
        "1,000 characters end in lorem-ipsum filler; right on hand-written paragraphs in six "
        "languages);",
        "- kept: trafilatura's default balanced mode (the modes below score lower) and the "
        "title out of the text.",
        "",
    ]
    variants = _load("quality_variants")
    if variants:
        vs = variants["summary"]
        names = [n for n in vs if n.startswith("trafilatura ")]
        lines += [f"trafilatura modes on the same pages ({_machine(variants)}):", ""]
        lines += _table(
            ["mode", "word F1", "with found", "without kept"],
            [
                [
                    n,
                    f"{vs[n]['f1']:.3f}",
                    f"{vs[n]['with_found']:.3f}",
                    f"{vs[n]['without_kept']:.3f}",
                ]
                for n in ["trafilatura", *names]
            ],
        )
        lines.append("")
    return lines


def speed(result: dict[str, Any]) -> list[str]:
    """Section 2."""
    r = result["results"]
    lines = [
        "## 2. Extraction speed",
        "",
        f"Same process, same {result['pages']} pages ({result['dataset']['name']} set), "
        f"warmed up, {result.get('rounds', 1)} passes, interleaved page by page with "
        "alternating order. Ours produces text, "
        "metadata, language, word count and SimHash; bare trafilatura produces text only.",
        "",
        f"Measured with {_machine(result)}.",
        "",
    ]
    rows = [
        [
            name,
            f"{v['pages_per_s']:.1f}",
            f"{v['median_ms']:.1f}",
            f"{v['p95_ms']:.1f}",
            f"{v['cpu_ms_per_page']:.1f}",
        ]
        for name, v in r.items()
    ]
    lines += _table(["extractor", "pages/s", "median ms", "p95 ms", "CPU ms/page"], rows)
    stages = ", ".join(f"{k} {v:.1f} ms" for k, v in result["ours_stages_ms"].items())
    lines += [
        "",
        f"**Our overhead: {result['ratio_total']:.3f}×** total time "
        f"(median per-page ratio {result['ratio_median_page']:.3f}×; goal ≤ 1.05×). "
        f"Our stages, mean per page: {stages}. "
        f"Loading the language model once: {result['language_model_load_s']:.2f} s.",
        "",
        "The raw bytes' SHA-256 is outside both timings: the pipeline takes it before "
        "extraction, when it stores the page and checks whether it changed. "
        "Where the overhead went (each change keeps the same text, metadata, language and "
        "fingerprint on the sample pages, checked by the unit tests; ms per page on the full "
        "set, in the pipeline):",
        "",
        "- one parse, lxml's element class chosen in C, `text_content` serialised in C, no "
        "copy of the tree for trafilatura (previous work: 1.96× → 1.09×);",
        "- the page's own UTF-8 bytes for the parser instead of the text encoded again (0.2);",
        "- trafilatura's `<meta>` reader on the `<head>` alone: its `.//head` searches walked "
        "the whole page (0.28 → 0.08);",
        "- the date: htmldate's own steps, the markup search on the tree trafilatura leaves "
        "instead of a deep copy, its candidate elements gathered by the byline pass when both "
        "run (252 pages), its cues matched as a trie (1.1 → about 0.6);",
        "- language on 200 characters first (0.55 → 0.33); the canonical link read from the "
        "`<head>`; the SimHash's bit counts from one byte histogram (0.19 → 0.16 warm).",
        "",
        "What is left is mostly the language model's cache misses (its tables are tens of MB), "
        "the markup searches for a byline and a date when the page declares neither, and the "
        "JSON-LD reader.",
    ]
    bar_chart(
        IMG / "speed.png",
        "Extraction time per page (ms)",
        ["median", "p95", "mean"],
        {n: [r[n]["median_ms"], r[n]["p95_ms"], r[n]["mean_ms"]] for n in r},
        value_format="{:.1f}",
    )
    return [*lines, "", "![Extraction speed](img/speed.png)", ""]


def throughput(
    result: dict[str, Any] | None, end_to_end: dict[str, Any] | None = None
) -> list[str]:
    """Section 3: end to end (``bench.ingest_throughput``), then fetch only."""
    lines = ["## 3. Ingest throughput", ""]
    lines += ingest_end_to_end(end_to_end)
    if result is None:
        return [*lines, "Not measured in this run (`bench/out/fetch_throughput.json` missing).", ""]
    summary = {k: v for k, v in result.items() if k not in ("machine", "command")}
    return [
        *lines,
        f"Fetch throughput on a local server, measured with {_machine(result)}:",
        "",
        "```json",
        json.dumps(summary, indent=1)[:3000],
        "```",
        "",
    ]


def ingest_end_to_end(result: dict[str, Any] | None) -> list[str]:
    """Section 3, first part: ``article-ingest ingest`` vs trafilatura's command line."""
    if result is None:
        return [
            "End to end: not measured in this run (`bench/out/ingest_throughput.json` missing).",
            "",
        ]
    ours, theirs, limits = result["ours"], result["trafilatura"], result["limits"]
    low, high = (round(x * 1000) for x in result["latency_s"])
    env = ", ".join(f"`{k}={v}`" for k, v in ours["env"].items())
    cfg = ", ".join(f"`{k} = {v}`" for k, v in theirs["settings_file"].items())
    lines = [
        f"End to end: **{result['pages']:,} URLs** of WCXB article pages "
        f"({result['dataset']['name']} set, {result['dataset']['distinct_pages']} distinct pages "
        f"cycled) served gzip-encoded from {result['hosts']} loopback addresses (127.0.0.2 on, "
        f"one threaded server each, URLs dealt round-robin), every response after a seeded "
        f"random {low}–{high} ms. Both sides run as a fresh process on the same URL list; wall "
        f"time includes start-up. Measured with {_machine(result)}.",
        "",
        f"- ours: `article-ingest ingest --urls-file urls.txt --data-dir TMP --json` (fetch, raw "
        f"HTML kept gzip, extract, store, index, events) with {env};",
        f"- trafilatura: `trafilatura -i urls.txt -o OUT --backup-dir RAW --parallel "
        f"{limits['workers']} --config-file CFG` (`--backup-dir` keeps each raw page as ours "
        f"does and gives each output its own name), settings file: {cfg}, the rest its defaults.",
        f"- Same per host: at most {limits['per_host_concurrency']} request in flight and "
        f"{limits['per_host_delay_s']} s between two request starts. They cannot be equal "
        "everywhere: trafilatura takes one URL per host per round and extracts the round's "
        "pages in its main thread before the next round starts (when no host is due it sleeps "
        "a whole `SLEEP_TIME`), so it has no per-host concurrency setting; ours reads "
        "robots.txt once per host (404 here), trafilatura's URL-list mode does not; "
        "`DOWNLOAD_TIMEOUT` is trafilatura's connect and read timeout, our "
        "`FETCH_DEADLINE_S` a total deadline.",
        "",
    ]
    rows = [
        [
            name,
            f"{side['wall_s']:.1f}",
            f"{side['pages_per_s']:.1f}",
            f"{side['cpu_s']:.1f}",
            ok,
            str(side["server"]["max_in_flight_per_host"]),
            "-" if (gap := side["server"]["min_start_gap_per_host_s"]) is None else f"{gap:.3f}",
        ]
        for name, side, ok in (
            (
                "ours",
                ours,
                f"{ours['indexed']} indexed, {ours['failed']} failed"
                + (
                    " (" + ", ".join(f"{k} {v}" for k, v in ours["error_codes"].items()) + ")"
                    if ours["error_codes"]
                    else ""
                ),
            ),
            ("trafilatura", theirs, f"{theirs['outputs']} outputs written"),
        )
    ]
    lines += _table(
        [
            "side",
            "wall s",
            "pages/s",
            "CPU s",
            "result",
            "max in flight per host",
            "shortest gap s",
        ],
        rows,
    )
    lines += [
        "",
        f"**Wall-time ratio ours / trafilatura: {result['ratio_wall']:.2f}** (goal < 1). "
        "The last two columns are what the page servers saw: requests in flight on one host "
        "and the shortest time between two request arrivals on one host (an arrival lags its "
        "request's start by connecting and, in our process, by waiting for the GIL, so two "
        "arrivals can be closer than the delay the client keeps between the starts).",
    ]
    floor = result.get("floor_s")
    if floor:
        lines[-1] += (
            f" Latency alone would take at least {floor['ours']:.1f} s with one request at a "
            f"time per host and {floor['trafilatura']:.1f} s in trafilatura's rounds (each as "
            "long as its slowest response); the rest is processing and start-up."
        )
    lines += [
        "",
        "Our extraction runs one page at a time per process (then a lock in `core/extract.py`, "
        "now the worker processes of `core/extraction_pool.py`): "
        "lxml work on several pages from several threads at once corrupted the heap, and "
        "about a third of 600-page runs of the 16-thread `ingest` died (`python -m "
        "bench.stress_ingest` reproduces it); with the lock none died in 24 runs, and they "
        "took less time. With the worker processes, `python -m bench.stress_ingest --runs 30` "
        "(600 pages from 4 loopback servers, 16 fetch threads, 4 requests per host at once) "
        "ended all 30 runs with exit 0 and 600 pages indexed (2026-12-03, 15:20-16:07 UTC, "
        "niced beside other work: 25-138 s a run).",
    ]
    bar_chart(
        IMG / "ingest-throughput.png",
        f"End-to-end ingest of {result['pages']} URLs (seconds)",
        ["wall time", "CPU time"],
        {
            "ours": [ours["wall_s"], ours["cpu_s"]],
            "trafilatura": [theirs["wall_s"], theirs["cpu_s"]],
        },
        value_format="{:.1f}",
    )
    return [*lines, "", "![End-to-end ingest](img/ingest-throughput.png)", ""]


def coldstart(result: dict[str, Any]) -> list[str]:
    """Section 4."""
    lines = [
        "## 4. Cold start and memory",
        "",
        f"Import time: `python -X importtime -c 'import MODULE'`, cumulative, median of "
        f"{result['runs']} fresh interpreters. Peak RSS: `VmHWM` of a fresh interpreter "
        f"extracting one 10 MB page or 100 WCXB pages. Measured with {_machine(result)}.",
        "",
    ]
    imports = result["import_ms"]
    lines += _table(
        ["module", "import ms"],
        [
            [f"`{m}`", f"{ms:.0f}" if ms is not None else "not importable"]
            for m, ms in imports.items()
        ],
    )
    lines.append("")
    memory = result["memory"]
    lines += _table(
        ["run", "RSS after imports MB", "peak RSS MB", "seconds"],
        [
            [k, f"{v['rss_after_import_mb']:.0f}", f"{v['peak_rss_mb']:.0f}", f"{v['seconds']:.1f}"]
            for k, v in memory.items()
        ],
    )
    known = {m: ms for m, ms in imports.items() if ms is not None}
    bar_chart(
        IMG / "import-time.png",
        "Import time (ms)",
        list(known),
        {"import ms": list(known.values())},
        value_format="{:.0f}",
    )
    labels = sorted({k.split(" ", 1)[1] for k in memory})
    bar_chart(
        IMG / "memory.png",
        "Peak RSS (MB)",
        labels,
        {
            m: [memory[f"{m} {label}"]["peak_rss_mb"] for label in labels]
            for m in ("ours", "trafilatura")
        },
        value_format="{:.0f}",
    )
    return [*lines, "", "![Import time](img/import-time.png)", "![Memory](img/memory.png)", ""]


def cost(result: dict[str, Any]) -> list[str]:
    """Section 5."""
    money = result["dollars_per_million"]
    req = result["requests"]
    lines = [
        "## 5. Cost per million articles",
        "",
        f"CPU time: {result['cpu_ms_per_article']:.1f} ms per article (our extraction step, "
        f"section 2) → {money['lambda_gb_s_per_article']:.4f} GB-s at "
        f"{result['lambda_memory_mb']} MB (Lambda gives a full vCPU only at 1,769 MB, so "
        "CPU-bound work costs the same GB-s at any smaller size). Fetch waiting time is billed "
        "on top and depends on the sites. Requests: counted by running the worker pipeline and "
        f"the indexer through the AWS adapters against a moto server for {req['pages']} pages: "
        + ", ".join(f"{k} {v:.1f}" for k, v in req["calls_per_article"].items())
        + f" per article; {req['ddb_write_units_per_article']:.1f} DynamoDB write units and "
        f"{req['ddb_read_units_per_article']:.1f} read units per article (item sizes measured). "
        f"Prices: {result['prices_as_of']}. Measured with {_machine(result)}.",
        "",
    ]
    rows = [[k, f"${v:,.2f}"] for k, v in money.items() if k != "lambda_gb_s_per_article"]
    lines += _table(["item", "dollars per million articles"], rows)
    lines += [
        "",
        f"**Total (arm64): ${result['total_dollars_per_million_arm64']:,.2f} per million "
        "articles**, storage not included.",
    ]
    items = {k: v for k, v in money.items() if k not in ("lambda_gb_s_per_article",)}
    bar_chart(
        IMG / "cost.png",
        "Dollars per million articles",
        [k.replace("_", " ") for k in items],
        {"USD": list(items.values())},
        value_format="{:.2f}",
    )
    return [*lines, "", "![Cost](img/cost.png)", ""]


def extract_cli(result: dict[str, Any]) -> list[str]:
    """The ``extract`` command, whole process, vs one bare trafilatura process."""
    labels = {
        "default": "`article-ingest extract DIR` (one worker per core)",
        "jobs1": "`article-ingest extract --jobs 1 DIR` (one worker process)",
        "in_process": "the same in the command's own process, no worker (`--jobs 1` before)",
        "trafilatura": "one `python -c` process calling `trafilatura.extract` per file",
    }

    def spread(values: dict[str, float], unit: str = "") -> str:
        return f"{values['median']:.2f}{unit} ({values['min']:.2f}–{values['max']:.2f})"

    rows = []
    for name, label in labels.items():
        summary = result["contenders"].get(name)
        if summary is None:
            continue
        rows.append(
            [
                label,
                spread(summary["wall"]),
                f"**{spread(summary['wall_ratio'])}**",
                f"{summary['tree_wall']['median']:.2f}",
                spread(summary["cpu"]),
                spread(summary["cpu_ratio"]),
                str(result["targets"].get(name, "—")),
            ]
        )
    load = ", ".join(f"{value:.1f}" for value in result["load_average"])
    return [
        "## The extract command, whole process",
        "",
        f"{result['dataset']['pages']} WCXB pages ({result['dataset']['name']} set), each "
        f"command a fresh process (start-up included), {result['rounds']} interleaved rounds "
        "(order rotated each round); median (lowest–highest). Wall time until the command "
        "exits; the last process out: until its last descendant (the fork server) exits, "
        "which a pipe reader waits for; CPU time is user + system of its whole process tree "
        "(fork server and workers included); each ratio is a run over the same round's "
        f"trafilatura run. Load average at the end: {load}. Measured with {_machine(result)}.",
        "",
        *_table(
            [
                "command",
                "wall s",
                "wall ratio",
                "last process out, s",
                "CPU s",
                "CPU ratio",
                "target (wall)",
            ],
            rows,
        ),
        "",
    ]


def serve_hostile(result: dict[str, Any]) -> list[str]:
    """An ordinary page through ``serve`` while three hostile pages are extracted."""
    budget, targets = result["budget_s"], result["targets"]
    rows = []
    for number, round_ in enumerate(result["rounds"], 1):
        hostile = round_["hostile"]
        rows.append(
            [
                str(number),
                f"{round_['normal_s']:.2f} ({round_['normal_status']})",
                ", ".join(
                    "—" if h["terminal_s"] is None else f"{h['terminal_s']:.1f}" for h in hostile
                ),
                ", ".join(sorted({f"{h['status']} `{h['code']}`" for h in hostile})),
            ]
        )
    normal, hostile = result["normal_s"], result["hostile_terminal_s"]
    return [
        "## 7. Hostile pages beside an ordinary one through `serve`",
        "",
        "`article-ingest serve` with its default extraction settings (one worker per core, two "
        f"spares, a {budget:g} s budget per page). Each round, three attribute-heavy pages "
        "(about 15 s of CPU each) are POSTed synchronously from three threads; once all three "
        "are in the raw store (the step before extraction) and unanswered, an ordinary page is "
        "POSTed synchronously. Hostile pages: time from the POST until `GET /articles/{id}` "
        f"shows a terminal status (polled every 0.1 s). A warm-up POST comes first "
        f"({result['warmup_s']:.1f} s: the fork server starts). Measured with "
        f"{_machine(result)}.",
        "",
        *_table(["round", "ordinary POST answered, s", "hostile pages terminal, s", "ended"], rows),
        "",
        f"Ordinary POST: median {normal['median']:.2f} s, max {normal['max']:.2f} s (target "
        f"< {targets['normal_s']:g} s). Hostile pages: median {hostile['median']:.1f} s, max "
        f"{hostile['max']:.1f} s (target ≤ {targets['hostile_terminal_s']:g} s). Targets met: "
        f"ordinary {'yes' if result['met']['normal'] else 'no'}, hostile "
        f"{'yes' if result['met']['hostile'] else 'no'}.",
        "",
    ]


def render_latency(result: dict[str, Any]) -> list[str]:
    """``GET /articles/{id}/text`` through ``serve`` next to bare trafilatura."""
    bare, split = result["bare_trafilatura_in_process"], result["render_markdown_in_process"]
    rows = []
    for name, numbers in result["get_text"].items():
        baseline = bare["txt" if name == "txt" else "markdown"]
        rows.append(
            [
                f"`format={name}`",
                f"{numbers['mean_ms']:.0f} / {numbers['p50_ms']:.0f} / {numbers['p95_ms']:.0f}",
                f"{baseline['mean_ms']:.0f} / {baseline['p50_ms']:.0f} / {baseline['p95_ms']:.0f}",
                f"{numbers['mean_vs_bare']:.2f}",
                f"{numbers['answered_200']}",
            ]
        )
    unguided, guided = split["unguided"]["mean_ms"], split["guided"]["mean_ms"]
    return [
        "## 8. Reading the text back: `GET /articles/{id}/text` through `serve`",
        "",
        f"`article-ingest serve` (default pool) on a fresh data directory; "
        f"{result['pages_posted']} WCXB pages (every {result['step']}th of the articles and of "
        "the other types) POSTed synchronously from 127.0.0.1, "
        f"{result['articles_stored']} stored; then each article's text is read once per "
        "format, one request at a time, wall time at the client (HTTP, store read, decoding, "
        "re-extraction in the pool and the rendering around the Article's own text). Bare "
        "trafilatura: `trafilatura.extract(html, url=..., output_format=...)` on the same "
        "pages in the bench process (no HTTP, no store). "
        f"Measured with {_machine(result)}; load average {result['load_average_1min']}.",
        "",
        *_table(
            [
                "route",
                "ours mean / p50 / p95, ms",
                "bare trafilatura mean / p50 / p95, ms",
                "mean ratio",
                "answered 200",
            ],
            rows,
        ),
        "",
        "The rendering around the Article's text, in-process markdown (CPU time, with and "
        f"without it alternating page by page, three rounds): {guided:.0f} ms a page against "
        f"{unguided:.0f} ms for the same rendering without it "
        f"({guided / unguided:.2f}×).",
        "",
    ]


#: The page-type report's groups that sum several types up.
SUMMARY_GROUPS = ("other six", "all", "all with a truth")
PAGE_TYPE_ORDER = (
    "article",
    "forum",
    "product",
    "collection",
    "listing",
    "documentation",
    "service",
    "other six",
    "all",
    "all with a truth",
)


def pagetypes(result: dict[str, Any]) -> list[str]:
    """Page types: quality per labelled type next to bare trafilatura, the classifier's
    confusion matrix, the speed ratio."""
    per_type = result["per_type"]
    lines = [
        "## Page types",
        "",
        f"Data: WCXB development set, **all {result['pages']} pages** (`wcxb-dev-articles` and "
        "`wcxb-dev-other-types`; CC-BY-4.0, Murrough Foley 2026), grouped by the data set's "
        "page-type label. Ours: `core.extract.assemble.assemble` (classified, then extracted "
        "with that type's profile, `core/extract/profiles.py`); trafilatura: "
        "`trafilatura.extract(html, include_comments=False)` on the same bytes. A ground truth "
        "without `main_content` scores 0 for both; `all with a truth` leaves those pages out "
        "(the data set's README allows either).",
        "",
        f"Measured with {_machine(result)}.",
        "",
    ]
    rows = []
    for group in PAGE_TYPE_ORDER:
        numbers = per_type.get(group)
        if not numbers:
            continue
        ours, bare = numbers["ours"], numbers["trafilatura"]
        rows.append(
            [
                f"**{group}**" if group in SUMMARY_GROUPS else group,
                str(numbers["pages"]),
                f"{ours['f1']:.3f}",
                f"{bare['f1']:.3f}",
                f"{ours['with_found']:.3f} / {bare['with_found']:.3f}",
                f"{ours['without_kept']:.3f} / {bare['without_kept']:.3f}",
            ]
        )
    lines += _table(
        [
            "labelled type",
            "pages",
            "word F1, ours",
            "word F1, trafilatura",
            "`with` found, ours / trafilatura",
            "`without` kept, ours / trafilatura",
        ],
        rows,
    )
    shown = [g for g in PAGE_TYPE_ORDER if g in per_type and g not in SUMMARY_GROUPS]
    bar_chart(
        IMG / "pagetypes.png",
        f"Word F1 per page type, WCXB development set ({result['pages']} pages)",
        shown,
        {
            name: [per_type[g][key]["f1"] for g in shown]
            for name, key in (("ours", "ours"), ("trafilatura", "trafilatura"))
        },
    )
    lines += ["", "![Word F1 per page type](img/pagetypes.png)", ""]
    confusion = result["confusion"]
    predicted = sorted({p for row in confusion.values() for p in row})
    lines += [
        f"Classifier (`core/extract/pagetype.py`): **{result['classifier_accuracy']:.3f}** of "
        "the pages get their labelled type. Confusion matrix (rows: label, columns: predicted; "
        "`none`: no text extracted):",
        "",
    ]
    lines += _table(
        ["label → predicted", *predicted],
        [[label, *(str(row.get(p, 0)) for p in predicted)] for label, row in confusion.items()],
    )
    lines += [
        "",
        f"Extraction time, ours / bare trafilatura (CPU time per page, same pages, same "
        f"process, interleaved; classification included): **{result['speed_ratio']:.3f}**.",
        "",
    ]
    return lines


def write() -> Path:
    """Render every available section into ``docs/benchmarks.md``."""
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`python -m bench.run`); each section names the command "
        "that produced its numbers and the machine it ran on. Raw results: `bench/out/*.json`. "
        "Timings on a shared machine are noisy; the ratios come from interleaved runs.",
        "",
    ]
    sections = (
        ("quality", quality),
        ("pagetypes", pagetypes),
        ("speed", speed),
        ("extract_cli", extract_cli),
        ("coldstart", coldstart),
        ("cost", cost),
        ("serve_hostile", serve_hostile),
        ("render_latency", render_latency),
    )
    for name, render in sections:
        result = _load(name)
        if name == "coldstart":
            lines += throughput(_load("fetch_throughput"), _load("ingest_throughput"))
        lines += render(result) if result else [f"## {name}", "", "Not measured in this run.", ""]
    DOCS.mkdir(exist_ok=True)
    target = DOCS / "benchmarks.md"
    target.write_text("\n".join(lines).rstrip() + "\n")
    return target


if __name__ == "__main__":
    print(write())
