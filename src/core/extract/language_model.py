"""The language model: py3langid's, its decompressed file kept in a cache for the next start.

py3langid ships its model as an npz archive (68 MB of arrays) compressed with LZMA into 4.6 MB;
undoing the LZMA takes about 0.4 s of CPU, the largest part of the language model's load and
of the start-up of every process that detects languages (the ``extract`` command's fork
server, ``serve``, the workers). The decompressed archive is the same whatever the process, so
the first load keeps it in the cache directory (``ARTICLE_INGEST_CACHE_DIR``, else
``$XDG_CACHE_HOME/article-ingest``, else ``~/.cache/article-ingest``; an empty value: no cache,
and none on AWS Lambda, whose processes start once per environment), named after py3langid's
version and the compressed file's size and modification time (``model_key``: hashing the 4.6 MB
file took 4-7 ms of every start; py3langid is pinned, and a reinstalled file has a new mtime),
written under another name and renamed into place so a reader
never sees half a file. Later loads read it as py3langid reads its own (``allow_pickle=False``:
arrays only, nothing executed; the zip's CRC-32 checked), in about a tenth of the time: the
same arrays, so the same languages. A cache that cannot be read or written is left aside and
the model is loaded as py3langid loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import lzma
import os
import shutil
import tempfile
import zipfile
from array import array
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: The environment variable naming the cache directory (empty: no cache).
CACHE_ENV = "ARTICLE_INGEST_CACHE_DIR"
#: The arrays py3langid 0.3's ``modelio.load_model`` reads from the archive.
ARRAYS = frozenset({"ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat"})
_PREFIX = "py3langid-"
_TYPECODES = {2: "H", 4: "I", 8: "L"}  # py3langid's stdlib array for each integer width
# A damaged archive: short (``EOFError``, ``BadZipFile``), a wrong CRC-32 (``BadZipFile``), or
# not the layout expected (``ValueError``, ``KeyError``).
_DAMAGED = (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError)


def cache_dir() -> Path | None:
    """Where the decompressed model is kept, or None for no cache."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(base) if base else Path.home() / ".cache") / "article-ingest"
    except RuntimeError:  # no home directory
        return None


def _to_array(values: Any) -> array[int]:
    """A numpy integer array as the stdlib array py3langid walks (its ``_to_array``)."""
    import numpy as np

    out = array(_TYPECODES[values.dtype.itemsize])
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out


#: ``LanguageIdentifier``'s parameters in py3langid 0.4.0 (pinned), which the cached archive's
#: arrays are handed to as its ``from_model_file`` hands them.
_IDENTIFIER_PARAMETERS = (
    "nb_ptc",
    "nb_pc",
    "nb_classes",
    "tk_nextmove",
    "tk_output",
    "norm_probs",
    "min_confidence",
    "tk_row",
)


def _checked_internals() -> None:
    """py3langid is the pinned version and its identifier takes the arrays as expected
    (``InternalsChanged``/``VersionMismatch`` otherwise: never a quietly different model)."""
    import py3langid
    from py3langid.langid import LanguageIdentifier

    from core.pins import check_parameters, require

    require("py3langid", py3langid.__version__, __name__)
    check_parameters(
        "py3langid.langid.LanguageIdentifier", LanguageIdentifier, _IDENTIFIER_PARAMETERS, __name__
    )


def _identifier_from_npz(path: Path, norm_probs: bool) -> Any:
    """py3langid's ``LanguageIdentifier`` from a decompressed model archive, built as its
    ``from_model_file`` builds it from the compressed one."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    with np.load(path, allow_pickle=False) as data:
        if set(data.files) != ARRAYS:
            raise ValueError(f"{path}: not py3langid's model layout ({sorted(data.files)})")
        return LanguageIdentifier(
            np.asarray(data["ptc"]),
            np.asarray(data["pc"]),
            data["classes"].tolist(),
            _to_array(data["nextmove"]),
            data["out_feat"].tolist(),
            norm_probs=norm_probs,
            tk_row=_to_array(data["nextmove_row"]),
        )


def model_key(model_file: Path) -> str:
    """What names ``model_file``'s decompressed archive: a digest of py3langid's version and the
    file's size and modification time (not of its 4.6 MB of content, read at every start)."""
    import py3langid

    stat = model_file.stat()
    named = f"{py3langid.__version__}|{model_file.name}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(named.encode("utf-8")).hexdigest()[:32]


def _cached(model_file: Path, directory: Path) -> Path:
    """The decompressed archive of ``model_file`` in ``directory``, written there if missing
    (older models' archives removed)."""
    target = directory / f"{_PREFIX}{model_key(model_file)}.npz"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, part = tempfile.mkstemp(prefix=_PREFIX, suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(model_file) as source:
            shutil.copyfileobj(source, out, length=1 << 20)
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
    for stale in directory.glob(f"{_PREFIX}*.npz"):
        if stale != target:
            with contextlib.suppress(OSError):
                stale.unlink()
    logger.info("language model decompressed into %s", target)
    return target


def load_identifier(norm_probs: bool = True) -> Any:
    """py3langid's model: from the cache when it holds it, else as py3langid loads it (and
    then kept in the cache)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model_file = Path(MODEL_DIR) / MODEL_FILE
    directory = cache_dir()
    if directory is not None:
        _checked_internals()  # outside the except below: a changed py3langid fails loudly
        try:
            archive = _cached(model_file, directory)
            try:
                return _identifier_from_npz(archive, norm_probs)
            except _DAMAGED:
                with contextlib.suppress(OSError):
                    archive.unlink()  # damaged: the next start writes it again
                raise
        except (*_DAMAGED, lzma.LZMAError) as error:
            logger.warning("language model cache in %s not used: %s", directory, error)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=norm_probs)
