"""Ingestion, the pipeline conductor above the index: walk the sources once, plan against the catalog of what
the index holds, fan enrichment out (local processes or Dask) with results back in order, write them through the
index's writer session, assign near-duplicate clusters, rebuild the entity map, and sum the run up.

Read ``run.index_paths`` first; ``plan`` decides what is new, ``tasks`` is what a worker runs."""

from __future__ import annotations

from search.ingest.run import COMMIT_EVERY, index_paths
from search.ingest.summary import DateRange, IndexSummary

__all__ = ["COMMIT_EVERY", "DateRange", "IndexSummary", "index_paths"]
