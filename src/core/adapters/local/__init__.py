"""The embedded default: raw HTML on the filesystem, everything else in one SQLite file."""
