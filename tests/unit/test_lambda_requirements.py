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


def test_a_package_required_with_extras_is_pinned_under_that_name_too() -> None:
    # pip < 23.3 (sam build's) resolves `b[x]` apart from `b==2`: unpinned, it takes the index's
    # newest b and --require-hashes refuses it. The file must pin `b[x]==2` with b's hashes.
    lock = (
        "a==1 \\\n    --hash=sha256:00\n    # via article-ingest\n"
        "b==2 ; python_full_version >= '3.0' \\\n    --hash=sha256:11 \\\n"
        "    --hash=sha256:12\n    # via a\n"
    )
    blocks = lr.parse_lock(lock)
    declared = {"a": ["b[x]>=1", "c[y]; extra == 'test'"], "b": []}
    names = lr.closure(blocks, frozenset())
    extras = lr.requested_extras(blocks, names, lambda name: declared[name])
    assert extras == {"b": {("x", "a")}}
    text = lr.render(blocks, names, extras)
    assert "b[x]==2 ; python_full_version >= '3.0' \\\n    --hash=sha256:11 \\\n" in text
    assert "    --hash=sha256:12\n    # via a (as b[x])\n" in text


def test_the_extraction_bundles_pin_justexts_lxml_extra_at_the_locked_lxml() -> None:
    # The CI failure: `lxml[html_clean]>=4.4.2` (from justext) resolved to a newer lxml than
    # the lock's, and sam build refused it in --require-hashes mode.
    for name in ("ingest_api", "worker"):
        text = (lr.FUNCTIONS / name / "requirements.txt").read_text(encoding="utf-8")
        lxml = next(b for b in lr.parse_lock(text) if b.name == "lxml")
        assert f"\nlxml[html_clean]=={lxml.version} \\\n" in text
