"""Adapters for the ports in ``core.ports``: ``local`` (embedded default) and ``aws``."""
