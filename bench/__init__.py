"""Benchmarks of every stage, beside the tools users would pick instead (see BENCHMARKS.md).

Each module runs alone: `python -m bench.<name> [--quick]`. Not tests: `tests/bench` only runs
each one on a tiny input so they do not rot.
"""
