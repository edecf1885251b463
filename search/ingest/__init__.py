"""Ingestion conductor: how enrichment work is fanned out and brought back to the single index writer."""
