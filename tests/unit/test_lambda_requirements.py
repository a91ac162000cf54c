"""Each Lambda bundle's requirements: derived from the runtime lock, only what it imports."""

from __future__ import annotations

from scripts import lambda_requirements as lr


def test_committed_function_requirements_match_the_runtime_lock() -> None:
    for path, content in lr.expected().items():
        assert path.read_text(encoding="utf-8") == content, f"run `make lock`: {path} is stale"


def test_the_indexer_bundle_leaves_out_fetching_and_extraction() -> None:
    blocks = lr.parse_lock(lr.LOCK.read_text(encoding="utf-8"))
    indexer = lr.closure(blocks, lr.LEFT_OUT["indexer"])
    api = lr.closure(blocks, lr.LEFT_OUT["ingest_api"])
    assert {"trafilatura", "lxml", "courlan", "babel", "py3langid", "protego"}.isdisjoint(indexer)
    # The SDK is bundled (S3 conditional writes need a recent botocore), with its dependencies.
    assert {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "numpy"} <= indexer
    assert {"trafilatura", "protego", "boto3", "botocore", "numpy"} <= api


def test_a_package_pulled_in_only_by_a_dropped_one_is_dropped() -> None:
    lock = (
        "a==1 \\\n    --hash=sha256:00\n    # via article-ingest\n"
        "b==2 \\\n    --hash=sha256:11\n    # via a\n"
        "c==3 \\\n    --hash=sha256:22\n    # via\n    #   a\n    #   d\n"
        "d==4 \\\n    --hash=sha256:33\n    # via article-ingest\n"
    )
    blocks = lr.parse_lock(lock)
    assert lr.closure(blocks, frozenset({"a"})) == {"c", "d"}
    assert lr.closure(blocks, frozenset()) == {"a", "b", "c", "d"}
    assert "b==2" not in lr.render(blocks, {"c", "d"})
