"""article-ingest: the command line, the local HTTP endpoint and the local runtime."""
