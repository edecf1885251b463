"""Readers of the evaluation corpora in ../shared/corpus (benchmarks and tests only; never shipped)."""
