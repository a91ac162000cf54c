"""Cold start and memory: import time of each handler module, peak RSS while extracting.

Import time is ``python -X importtime -c "import MODULE"`` in a fresh interpreter, the
cumulative figure of the module's own line, median of ``RUNS`` runs; trafilatura and boto3
alone are the yardsticks. Peak RSS (``VmHWM``) is read in a fresh interpreter that
extracts one 10 MB page, or a batch of 100 pages, with our step or with bare trafilatura.

Run: ``python -m bench.coldstart``. Writes ``bench/out/coldstart.json``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.machine import command, describe

logger = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parent.parent
RUNS = 5
MODULES = (
    "handlers.api",
    "handlers.worker",
    "handlers.indexer",
    "core.extract.assemble",
    "trafilatura",
    "boto3",
)
TEN_MB = 10_000_000
BATCH = 100
_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def import_ms(module: str, runs: int = RUNS) -> float | None:
    """Median cumulative import time of ``module`` in ms, or None when it cannot be imported."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            env=_env(),
            check=False,
        )
        if done.returncode != 0:
            logger.warning("cannot import %s: %s", module, done.stderr.strip().splitlines()[-1:])
            return None
        for match in _LINE.finditer(done.stderr):
            if match.group(4) == module and len(match.group(3)) <= 1:
                times.append(int(match.group(2)) / 1000)
    return statistics.median(times) if times else None


def big_page(size: int = TEN_MB) -> bytes:
    """A ``size``-byte article: WCXB ground-truth paragraphs between navigation blocks."""
    from bench.dataset import locate

    paragraphs: list[str] = []
    for page in locate(prefer_full=False).pages():
        text = str(page.truth.get("main_content") or "")
        paragraphs.extend(p for p in text.split("\n\n") if len(p) > 80)
        if sum(map(len, paragraphs)) > 200_000:
            break
    head = "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Long read</title>"
    parts = [head, "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"]
    parts.append("<article><h1>Long read</h1>")
    size_now, i = sum(map(len, parts)), 0
    closing = "</article><footer>Footer</footer></body></html>"
    while size_now < size - len(closing) - 2000:
        chunk = f"<p>{paragraphs[i % len(paragraphs)]}</p>\n"
        if i % 50 == 49:
            chunk += f"<h2>Section {i // 50}</h2>\n"
        parts.append(chunk)
        size_now += len(chunk.encode())
        i += 1
    parts.append(closing)
    return "".join(parts).encode()[:size]


_PROBE = """
import gzip, resource, sys, time
from pathlib import Path
def peak_kb():
    # VmHWM belongs to this process image; ru_maxrss survives exec and would show the parent's.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
mode, what, path = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "ours":
    from core.extract.assemble import assemble
    from core.ports import PageInput
    from core.extract.language import warm_up
    warm_up()
    run = lambda body, i: assemble(PageInput(body=body, url="https://example.org/%d" % i,
                                             article_id=str(i)))
else:
    import trafilatura
    run = lambda body, i: trafilatura.extract(body, include_comments=False)
files = [Path(path)] if what == "page" else sorted(Path(path).glob("*.html.gz"))[:int(sys.argv[4])]
before = peak_kb()
start = time.perf_counter()
for i, file in enumerate(files):
    body = file.read_bytes()
    run(gzip.decompress(body) if file.suffix == ".gz" else body, i)
print(before, peak_kb(), time.perf_counter() - start)
"""


def peak_rss(mode: str, what: str, path: Path, count: int = BATCH) -> dict[str, float]:
    """Peak RSS (MB) after imports and after the work, and the work's seconds, in a fresh run."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, what, str(path), str(count)],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    before, after, seconds = done.stdout.split()
    return {
        "rss_after_import_mb": int(before) / 1024,
        "peak_rss_mb": int(after) / 1024,
        "seconds": float(seconds),
    }


def run() -> dict[str, Any]:
    """Every import-time and memory figure."""
    from bench.dataset import locate

    imports = {module: import_ms(module) for module in MODULES}
    OUT.mkdir(exist_ok=True)
    page = OUT / "big-page.html"
    page.write_bytes(big_page())
    batch_dir = locate().root / "html"
    memory = {
        f"{mode} {label}": peak_rss(mode, what, path)
        for label, what, path in (("10 MB page", "page", page), ("100 pages", "batch", batch_dir))
        for mode in ("ours", "trafilatura")
    }
    page.unlink()
    return {"machine": describe(), "import_ms": imports, "memory": memory, "runs": RUNS}


def main() -> dict[str, Any]:
    """Command line entry point; writes ``bench/out/coldstart.json``."""
    result = run()
    result["command"] = command("bench.coldstart", [])
    (OUT / "coldstart.json").write_text(json.dumps(result, indent=1) + "\n")
    for module, ms in result["import_ms"].items():
        logger.info("import %-18s %s ms", module, f"{ms:.0f}" if ms is not None else "n/a")
    for label, numbers in result["memory"].items():
        logger.info("%-28s %s", label, {k: round(v, 1) for k, v in numbers.items()})
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
