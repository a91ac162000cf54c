"""What the extraction fork server loads once, for every worker it forks to share.

Imported by ``multiprocessing``'s fork server (``core.extraction_pool``), never by the service
itself: trafilatura, lxml, htmldate and the language model come up in that single-threaded
process, and each worker forked from it starts with them loaded (copy-on-write).

numpy (under the language model) would start a BLAS thread pool at import; the fork server
must run one thread only so that forking it is safe, and a worker classifies one short text at
a time, so those pools are one thread each.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import core.assemble  # noqa: E402  (the whole extraction stack)
import core.extraction_worker  # noqa: E402, F401
from core.language import warm_up  # noqa: E402

warm_up()
