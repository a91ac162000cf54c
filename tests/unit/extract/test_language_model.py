"""The language model's cache: the same model as py3langid's own, from a cold or warm cache,
and a damaged or unwritable cache never in the way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from core.extract import language_model
from core.extract.language_model import CACHE_ENV, cache_dir, load_identifier

TEXTS = [
    "The committee met on Tuesday to discuss the budget for next year's road repairs.",
    "Le comité s'est réuni mardi pour discuter du budget des travaux de l'an prochain.",
    "Der Ausschuss traf sich am Dienstag, um den Haushalt für das nächste Jahr zu beraten.",
    "El comité se reunió el martes para hablar del presupuesto del año que viene.",
    "委员会周二开会讨论明年的道路维修预算。",
]


@pytest.fixture(scope="module")
def reference() -> Any:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def assert_same_model(model: Any, reference: Any) -> None:
    assert model.nb_ptc.dtype == reference.nb_ptc.dtype
    assert np.array_equal(model.nb_ptc, reference.nb_ptc)
    assert np.array_equal(model.nb_pc, reference.nb_pc)
    assert model.nb_pc.dtype == reference.nb_pc.dtype
    assert model.nb_classes == reference.nb_classes
    assert model.tk_nextmove == reference.tk_nextmove
    assert model.tk_row == reference.tk_row
    assert model.tk_output == reference.tk_output
    for text in TEXTS:
        assert model.classify(text) == reference.classify(text)
        assert model.rank(text) == reference.rank(text)


def archives(directory: Path) -> list[Path]:
    return sorted(directory.glob("py3langid-*.npz"))


def test_cold_then_warm_cache_give_py3langids_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert_same_model(load_identifier(), reference)  # cold: decompressed and kept
    (archive,) = archives(tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.part"))
    written = archive.stat().st_mtime_ns
    assert_same_model(load_identifier(), reference)  # warm: read from the cache
    assert archive.stat().st_mtime_ns == written


def cut_short(data: bytes) -> bytes:
    return data[: len(data) // 2]


def flip_a_byte(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(damaged) // 3] ^= 0xFF  # inside an array: the zip's CRC-32 no longer matches
    return bytes(damaged)


@pytest.mark.parametrize("damage", [cut_short, flip_a_byte])
def test_a_damaged_cache_is_replaced(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reference: Any,
    damage: Callable[[bytes], bytes],
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    load_identifier()
    (archive,) = archives(tmp_path)
    archive.write_bytes(damage(archive.read_bytes()))
    assert_same_model(load_identifier(), reference)  # py3langid's own load
    assert not archives(tmp_path)  # removed: the next start writes it again
    assert_same_model(load_identifier(), reference)
    assert len(archives(tmp_path)) == 1


def test_an_older_models_archive_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    stale = tmp_path / "py3langid-0123456789abcdef.npz"
    stale.write_bytes(b"an older model")
    load_identifier()
    assert not stale.exists()
    assert len(archives(tmp_path)) == 1


def test_the_archive_is_named_after_the_model_file_not_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.plzma"
    model.write_bytes(b"a model")
    key = language_model.model_key(model)
    assert language_model.model_key(model) == key  # the same file: the same archive
    # a reinstalled model (same size, another mtime) and another size each get their own
    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 1_000_000_000))
    touched = language_model.model_key(model)
    model.write_bytes(b"a larger model")
    assert len({key, touched, language_model.model_key(model)}) == 3
    monkeypatch.setattr("py3langid.__version__", "0.0.0")  # another py3langid release
    assert language_model.model_key(model) not in {key, touched}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_cache_is_left_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    tmp_path.chmod(0o500)
    try:
        monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
        assert_same_model(load_identifier(), reference)
    finally:
        tmp_path.chmod(0o700)


def test_a_cache_path_that_is_a_file_is_left_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert_same_model(load_identifier(), reference)
    assert blocker.read_text() == "x"


def test_no_cache_when_the_variable_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() is None
    load_identifier()
    assert not list(tmp_path.iterdir())


def test_cache_dir_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "article-ingest"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "article-ingest"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ingest-api")
    assert cache_dir() is None  # one start per environment: nothing to gain


def test_the_model_layout_is_checked(tmp_path: Path) -> None:
    archive = tmp_path / "other.npz"
    np.savez(archive, ptc=np.zeros(2))
    with pytest.raises(ValueError, match="layout"):
        language_model._identifier_from_npz(archive, True)


def test_another_py3langid_version_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache hands py3langid's internal arrays to its identifier: only the pinned version's."""
    import py3langid

    from core.pins import VersionMismatch

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(py3langid, "__version__", "0.9.9")
    with pytest.raises(VersionMismatch, match=r"py3langid 0\.9\.9 is installed"):
        load_identifier()


def test_an_identifier_with_other_parameters_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import py3langid.langid

    from core.pins import InternalsChanged

    class Changed:
        def __init__(self, nb_ptc: Any, nb_pc: Any, *, classes: Any) -> None:
            raise AssertionError("never built")

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(py3langid.langid, "LanguageIdentifier", Changed)
    with pytest.raises(InternalsChanged, match="LanguageIdentifier takes"):
        load_identifier()
