"""Helpers shared by the tests, the demo, scripts and benchmarks; shipped in no bundle or wheel."""
