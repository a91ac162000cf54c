"""The rooms of ``src/`` and what each may import (docs/architecture.md), read from the source.

Every ``import`` statement counts, wherever it stands (a lazy import inside a function is still
a dependency), except the AWS rule, which is about import time: no AWS SDK is loaded by merely
importing a domain module, so the local backend and cold starts never pay for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
AWS_SDK = ("boto3", "botocore", "mypy_boto3_")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    at_top: bool  # runs when the module is imported (not in a function, not type-only)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _deferred(node: ast.AST) -> bool:
    """Whether imports below ``node`` do not run at import time (a function, type-only)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return True
    return isinstance(node, ast.If) and _is_type_checking(node)


def _imports(module: str, tree: ast.AST) -> Iterator[Import]:
    def walk(node: ast.AST, at_top: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(module, alias.name, child.lineno, at_top)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                for alias in child.names:
                    # ``from core.adapters import local`` names the submodule it imports.
                    yield Import(module, f"{child.module}.{alias.name}", child.lineno, at_top)
            elif _deferred(child):
                yield from walk(child, False)
            else:
                yield from walk(child, at_top)

    yield from walk(tree, True)


def all_imports() -> list[Import]:
    found: list[Import] = []
    for path in sorted(SRC.rglob("*.py")):
        if ".egg-info" in str(path):
            continue
        module = _module_name(path)
        found.extend(_imports(module, ast.parse(path.read_text(), filename=str(path))))
    return found


IMPORTS = all_imports()


def _in(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _violations(rule: str) -> list[str]:
    bad: list[str] = []
    for imp in IMPORTS:
        source, target = imp.module, imp.target
        broken = False
        if rule == "core is the innermost room":
            broken = _in(source, "core") and _in(target, "handlers", "article_ingest")
        elif rule == "handlers never reach into the CLI":
            broken = _in(source, "handlers") and _in(target, "article_ingest")
        elif rule == "only Services and the adapters name an adapter":
            broken = (
                _in(target, "core.adapters")
                and not _in(source, "core.adapters", "core.services", "article_ingest")
            ) or (_in(source, "article_ingest") and _in(target, "core.adapters.aws"))
        elif rule == "the two adapter families stay apart":
            broken = (_in(source, "core.adapters.local") and _in(target, "core.adapters.aws")) or (
                _in(source, "core.adapters.aws") and _in(target, "core.adapters.local")
            )
        elif rule == "no AWS SDK at import time in core outside adapters/aws":
            broken = (
                imp.at_top
                and _in(source, "core")
                and not _in(source, "core.adapters.aws")
                and target.startswith(AWS_SDK)
            )
        if broken:
            bad.append(f"{source}:{imp.line} imports {target}")
    return bad


RULES = [
    "core is the innermost room",
    "handlers never reach into the CLI",
    "only Services and the adapters name an adapter",
    "the two adapter families stay apart",
    "no AWS SDK at import time in core outside adapters/aws",
]


@pytest.mark.parametrize("rule", RULES)
def test_rule_holds(rule: str) -> None:
    assert _violations(rule) == []


def test_the_reader_sees_every_kind_of_import() -> None:
    """The rules are only as good as the parser: lazy, type-only and ``from`` imports count."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import boto3\n"
        "if TYPE_CHECKING:\n"
        "    from handlers import api\n"
        "def f():\n"
        "    from core.adapters.aws import clients\n"
    )
    found = {(i.target, i.at_top) for i in _imports("core.x", ast.parse(source))}
    assert found == {
        ("typing.TYPE_CHECKING", True),
        ("boto3", True),
        ("handlers.api", False),
        ("core.adapters.aws.clients", False),
    }
    assert len(IMPORTS) > 300  # the whole tree was read
