"""Content-Encoding undone within bounds: at most N layers, output capped per layer.

Charset decoding (bytes to text) is another step: ``core.decoding``.
"""

from __future__ import annotations

import logging
import zlib

from core.fetch.outcomes import FetchFailure, FetchOutcome

logger = logging.getLogger(__name__)

_GZIP = {"gzip", "x-gzip"}
_DEFLATE = {"deflate"}


def parse_encodings(header: str | None, max_layers: int) -> list[str]:
    """The encodings applied to the body, in the order they were applied."""
    if not header:
        return []
    layers = [t.strip().lower() for t in header.split(",")]
    layers = [t for t in layers if t and t != "identity"]
    if len(layers) > max_layers:
        raise FetchFailure(
            FetchOutcome.TOO_LARGE,
            f"{len(layers)} content-encoding layers (at most {max_layers} are decoded)",
        )
    for layer in layers:
        if layer not in _GZIP | _DEFLATE:
            raise FetchFailure(FetchOutcome.NOT_HTML, f"unsupported content-encoding {layer!r}")
    return layers


class _Layer:
    """One streaming zlib decoder whose total output is capped."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding
        self._limit = limit
        self._produced = 0
        self._obj: zlib._Decompress | None = None
        self._first = True

    def _new(self, data: bytes) -> zlib._Decompress:
        if self._encoding in _GZIP:
            return zlib.decompressobj(wbits=47)  # gzip or zlib header, auto-detected
        # "deflate" should be zlib-wrapped, but many servers send raw deflate.
        zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(wbits=15 if zlib_header else -15)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data:
            if self._obj is None:
                self._obj = self._new(data)
            budget = self._limit - self._produced + 1
            try:
                chunk = self._obj.decompress(data, budget)
            except zlib.error as exc:
                raise FetchFailure(
                    FetchOutcome.HTTP_ERROR, f"corrupt {self._encoding} body: {exc}"
                ) from None
            self._produced += len(chunk)
            if self._produced > self._limit:
                raise FetchFailure(
                    FetchOutcome.TOO_LARGE,
                    f"decompressed body exceeds {self._limit} bytes",
                )
            out += chunk
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data and self._encoding in _GZIP:
                data = self._obj.unused_data  # next gzip member
                self._obj = None
            else:
                data = b""
        return bytes(out)

    def finish(self) -> bytes:
        if self._obj is None:
            return b""
        try:
            tail = self._obj.flush()
        except zlib.error as exc:
            raise FetchFailure(
                FetchOutcome.HTTP_ERROR, f"corrupt {self._encoding} body: {exc}"
            ) from None
        self._produced += len(tail)
        if self._produced > self._limit:
            raise FetchFailure(
                FetchOutcome.TOO_LARGE, f"decompressed body exceeds {self._limit} bytes"
            )
        return tail


class BoundedDecoder:
    """Undo ``encodings`` (listed in the order applied), never producing more than ``limit``
    bytes from any layer."""

    def __init__(self, encodings: list[str], limit: int) -> None:
        self._layers = [_Layer(e, limit) for e in reversed(encodings)]

    def feed(self, data: bytes) -> bytes:
        """Decode one chunk from the wire."""
        for layer in self._layers:
            data = layer.feed(data)
        return data

    def finish(self) -> bytes:
        """Flush every layer at the end of the body."""
        data = b""
        for layer in self._layers:
            data = layer.feed(data) + layer.finish()
        return data
