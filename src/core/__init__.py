"""The article-ingest domain: models, the safe fetcher, extraction, indexing and ports.

Nothing here imports AWS SDKs at module top; AWS adapters live in ``core.adapters.aws``.
"""
