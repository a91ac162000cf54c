"""Build-time architecture of Lambda bundles: retarget a template, check a build's binaries.

Lambda runs x86_64 or arm64 (Graviton). Without Docker, ``sam build`` still makes an arm64
bundle on an x86_64 machine: for a non-x86_64 target it installs only prebuilt manylinux
wheels for that platform, and fails when a dependency has none. Nothing can run those
binaries here, so this checks them instead: every ELF file of every bundle must be built for
the target machine.

    python -m scripts.bundle_arch retarget TEMPLATE ARCH OUT   # every Architectures: [ARCH]
    python -m scripts.bundle_arch check BUILD_DIR ARCH         # each bundle's ELF files
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

#: ELF ``e_machine`` values (little-endian half-word at offset 18).
MACHINES = {0x3E: "x86_64", 0xB7: "arm64"}
_ARCHITECTURES = re.compile(r"^(\s*Architectures:).*$", re.MULTILINE)
_CODE_URI = re.compile(r"^(\s*CodeUri:\s*)(?![a-z0-9]+://)(\S+)\s*$", re.MULTILINE)


def retarget(template: Path, arch: str) -> str:
    """``template`` with every ``Architectures`` set to ``[arch]`` and absolute ``CodeUri``s."""
    text = template.read_text(encoding="utf-8")
    text, count = _ARCHITECTURES.subn(rf"\1 [{arch}]", text)
    if count == 0:
        raise SystemExit(f"{template}: no Architectures property to retarget")
    return _CODE_URI.sub(lambda m: f"{m.group(1)}{(template.parent / m.group(2)).resolve()}/", text)


def machine(path: Path) -> str | None:
    """The architecture an ELF file is built for, or None for any other file."""
    with path.open("rb") as stream:
        head = stream.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return MACHINES.get(int.from_bytes(head[18:20], "little"), f"e_machine {head[18:20].hex()}")


def check(build_dir: Path, arch: str) -> list[str]:
    """One line per bundle (its ELF files by architecture); raises if one is foreign."""
    lines, foreign = [], []
    for bundle in sorted(p for p in build_dir.iterdir() if p.is_dir()):
        counts: Counter[str] = Counter()
        for path in bundle.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found = machine(path)
                if found is not None:
                    counts[found] += 1
                    if found != arch:
                        foreign.append(f"{path.relative_to(build_dir)}: {found}")
        lines.append(f"{bundle.name}: {dict(sorted(counts.items())) or 'no binaries'}")
    if foreign:
        raise SystemExit(f"not built for {arch}:\n" + "\n".join(foreign[:20]))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    to = commands.add_parser("retarget")
    to.add_argument("template", type=Path)
    to.add_argument("arch", choices=sorted(MACHINES.values()))
    to.add_argument("out", type=Path)
    checked = commands.add_parser("check")
    checked.add_argument("build_dir", type=Path)
    checked.add_argument("arch", choices=sorted(MACHINES.values()))
    args = parser.parse_args(argv)
    if args.command == "retarget":
        args.out.write_text(retarget(args.template, args.arch), encoding="utf-8")
    else:
        for line in check(args.build_dir, args.arch):
            print(f"{args.arch} ELF files in {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
