"""Raw page bytes on the local filesystem, gzip at rest, under immutable keys."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from core.adapters.raw_keys import verified_key
from core.errors import NotFound, StorageError
from core.ports import RawPage

SCHEME = "file://"


class FilesystemRawStore:
    """``RawHtmlStore`` on a directory; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        """Keep objects under ``root`` (the data directory) using the shared key layout."""
        self.root = root.resolve()
        self._objects = self.root / "raw"

    def _path(self, uri: str) -> Path:
        if not uri.startswith(SCHEME):
            raise NotFound(f"not a local raw-store URI: {uri}")
        path = Path(uri[len(SCHEME) :]).resolve()
        if not path.is_relative_to(self._objects):
            raise NotFound(f"outside the raw store: {uri}")
        return path

    def put(self, page: RawPage) -> str:
        path = self.root / verified_key(page)
        uri = SCHEME + str(path)
        if path.exists():
            return uri
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"content_type": page.content_type, "charset": page.charset}
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(gzip.compress(page.body, compresslevel=6, mtime=0))
            os.replace(tmp, path)
            path.with_suffix(".json").write_text(json.dumps(meta))
        except OSError as error:
            raise StorageError(f"cannot write raw page: {error}") from error
        return uri

    def get(self, uri: str) -> bytes:
        path = self._path(uri)
        try:
            return gzip.decompress(path.read_bytes())
        except FileNotFoundError as error:
            raise NotFound(f"raw page not found: {uri}") from error

    def exists(self, uri: str) -> bool:
        try:
            return self._path(uri).is_file()
        except NotFound:
            return False
