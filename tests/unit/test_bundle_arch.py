"""Architecture checks of Lambda bundles: templates retargeted, foreign binaries refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts import bundle_arch

ROOT = Path(__file__).resolve().parents[2]


def _elf(path: Path, machine: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF" + bytes(14) + machine.to_bytes(2, "little") + bytes(40))


def test_retarget_sets_every_architecture_and_keeps_code_reachable() -> None:
    text = bundle_arch.retarget(ROOT / "template.yaml", "arm64")
    assert "Architectures: [arm64]" in text
    assert "x86_64" not in text.split("Resources:")[0].split("Globals:")[1]
    for line in text.splitlines():
        if line.strip().startswith("CodeUri:"):
            assert Path(line.split(":", 1)[1].strip()).is_dir(), line


def test_check_counts_binaries_and_refuses_a_foreign_one(tmp_path: Path) -> None:
    _elf(tmp_path / "Fn" / "numpy" / "core.so", 0xB7)
    (tmp_path / "Fn" / "handler.py").write_text("x = 1\n")
    assert bundle_arch.check(tmp_path, "arm64") == ["Fn: {'arm64': 1}"]
    _elf(tmp_path / "Fn" / "lxml" / "etree.so", 0x3E)
    with pytest.raises(SystemExit, match=r"lxml/etree.so: x86_64"):
        bundle_arch.check(tmp_path, "arm64")
