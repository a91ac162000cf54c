"""The extract-command benchmark's timing of a process tree and its summary."""

from __future__ import annotations

import importlib.util
import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest
from bench.extract_cli import bytecode, order, summarise
from bench.proctree import Timed

# A child that starts a grandchild burning CPU and exits at once, without waiting for it
# (as ``multiprocessing``'s fork server outlives the command that started it).
ORPHAN = """
import subprocess, sys
burn = "import time\\nend = time.process_time() + 0.4\\nwhile time.process_time() < end: pass"
subprocess.Popen([sys.executable, "-c", burn])
"""


# Run in a process of its own: a subreaper adopts every orphan below it, not only these.
TIMER = """
import json, sys
from bench import proctree
timed = proctree.run([sys.executable, "-c", sys.argv[1]])
print(json.dumps([timed.returncode, timed.cpu_s, proctree.reap_stragglers(), timed.stderr]))
"""


def timed_in_a_process(code: str) -> list[object]:
    """``proctree.run`` of ``python -c code`` in a fresh process: [exit code, CPU s, children
    left, stderr]."""
    done = subprocess.run(
        [sys.executable, "-c", TIMER, code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    result: list[object] = json.loads(done.stdout)
    return result


def test_the_cpu_time_of_an_orphaned_grandchild_is_counted() -> None:
    returncode, cpu_s, left, _ = timed_in_a_process(ORPHAN)
    assert (returncode, left) == (0, 0)
    assert isinstance(cpu_s, float)
    assert cpu_s >= 0.3  # the grandchild's 0.4 s: it outlived its parent, was reaped here


def test_a_failing_command_keeps_its_exit_code_and_stderr() -> None:
    returncode, _, _, stderr = timed_in_a_process("import sys; sys.exit('no pages')")
    assert (returncode, stderr) == (1, "no pages\n")


def test_each_contender_takes_each_place_in_turn() -> None:
    names = ["a", "b", "c"]
    firsts = [order(names, round_number)[0] for round_number in range(3)]
    assert sorted(firsts) == names
    assert all(sorted(order(names, r)) == names for r in range(5))


def test_ratios_pair_each_run_with_the_same_rounds_baseline() -> None:
    def timed(wall: float, cpu: float) -> Timed:
        return Timed(wall_s=wall, tree_wall_s=wall, cpu_s=cpu, returncode=0, stderr="")

    runs = {
        "ours": [timed(6, 6), timed(12, 6.6), timed(7, 6)],
        "trafilatura": [timed(10, 10), timed(20, 11), timed(10, 10)],
    }
    ours = summarise(runs)["ours"]
    assert ours["wall_ratio"] == {"median": 0.6, "min": 0.6, "max": 0.7}
    assert ours["cpu_ratio"]["median"] == 0.6
    assert ours["wall"] == {"median": 7, "min": 6, "max": 12}


def test_the_report_says_whether_the_modules_were_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))  # where bytecode is looked for
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert bytecode() == {"trafilatura_compiled": False, "writes_bytecode": False}
    spec = importlib.util.find_spec("trafilatura")
    assert spec is not None
    assert spec.origin is not None
    py_compile.compile(spec.origin, cfile=importlib.util.cache_from_source(spec.origin))
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE")
    assert bytecode() == {"trafilatura_compiled": True, "writes_bytecode": True}
