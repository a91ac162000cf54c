"""Both backends extract in the process's worker pool, shared and started lazily."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.extraction_pool import ExtractionPool, PoolLimits
from core.services import Services
from core.settings import Settings


@pytest.mark.parametrize("backend", ["local", "aws"])
def test_the_extractor_is_a_shared_lazy_pool(tmp_path: Path, backend: str) -> None:
    # a budget no other test uses, so this pool is this test's own
    settings = Settings(backend=backend, data_dir=tmp_path / "a", extraction_timeout_s=123.5)
    extractor = Services(settings).extractor
    assert isinstance(extractor, ExtractionPool)
    assert extractor.limits == PoolLimits.from_settings(settings)
    assert extractor.limits.wall_s == 123.5
    assert extractor.worker_pids() == []  # nothing starts before the first page
    other = Settings(backend=backend, data_dir=tmp_path / "b", extraction_timeout_s=123.5)
    assert Services(other).extractor is extractor
    assert Services(Settings(backend=backend, extraction_timeout_s=99)).extractor is not extractor
