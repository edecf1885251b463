"""Maps indexed entity values to the archive's canonical values, tolerating a missing entity map."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Facet field name -> the entity type name the entity map uses.
FIELD_TYPES = {"people": "person", "organizations": "organization", "places": "place"}


class EntityNames:
    """Canonical display values for facets and the variants a filter value stands for."""

    def __init__(self, index_dir: Path) -> None:
        self._map: Any = None
        try:
            from search.enrich.entity_map import EntityMap  # lands beside the indexer
        except ImportError:
            return
        try:
            self._map = EntityMap.load(index_dir)
        except Exception as exc:  # a missing or damaged map must not stop search
            log.warning("entity map not loaded from %s: %s", index_dir, exc)

    def canonical(self, field: str, value: str) -> str | None:
        """The canonical value an indexed value belongs to; None when the value is hidden (junk)."""
        if self._map is None or not value:
            return value or None
        try:
            return self._map.canonical(FIELD_TYPES[field], value)
        except Exception as exc:
            log.debug("canonical(%s, %r) failed: %s", field, value, exc)
            return value

    def variants(self, field: str, value: str) -> set[str]:
        """Every indexed value a canonical value stands for (itself included)."""
        found = {value}
        if self._map is not None:
            try:
                found.update(self._map.variants(FIELD_TYPES[field], value) or ())
                resolved = self._map.resolve(FIELD_TYPES[field], value)
                if resolved:
                    found.add(resolved)
                    found.update(self._map.variants(FIELD_TYPES[field], resolved) or ())
            except Exception as exc:
                log.debug("variants(%s, %r) failed: %s", field, value, exc)
        return found
