"""What the extraction fork server loads once, for every worker it forks to share.

Imported by ``multiprocessing``'s fork server (``core.extraction_pool``), never by the service
itself: trafilatura, lxml, htmldate and the language model come up in that single-threaded
process, and each worker forked from it starts with them loaded (copy-on-write).

The language model's file is LZMA, whose decompression releases the GIL: it is loaded in a
thread while the extraction stack is imported (half a second less before the first worker on
two cores), and that thread is joined before this module is done, so the fork server runs a
single thread when it forks. numpy (under the language model) would start a BLAS thread pool
at import: those pools are one thread each, and a worker classifies one short text at a time.
"""

from __future__ import annotations

import gc
import os
import threading

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

from core.extract.language import warm_up  # noqa: E402

_loader = threading.Thread(target=warm_up, name="language-model")
_loader.start()
try:
    import core.extract.assemble
    import core.extraction_worker  # noqa: F401
finally:
    _loader.join()
assert threading.active_count() == 1, "the fork server must run a single thread"
# Everything loaded so far lives as long as the workers: out of the collector's sight, it is
# neither traversed by each worker's full collections nor copied into it by them.
gc.freeze()
