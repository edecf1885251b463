"""Maps indexed entity values to the archive's canonical values, tolerating a missing entity map."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from search.documents import ENTITY_KINDS, EntityKind

log = logging.getLogger(__name__)

# The entity type name the entity map uses -> facet field name.
_FIELD_OF_TYPE = {kind.value: kind.field for kind in ENTITY_KINDS}


class EntityNames:
    """Canonical display values for facets and the variants a filter value stands for."""

    def __init__(self, index_dir: Path, generation: int | None = None) -> None:
        self._map: Any = None
        self._canonical: dict[tuple[str, str], str | None] = {}
        self._field: dict[tuple[str, str], str] = {}
        self._direct: dict[tuple[str, str], tuple[str | None, str]] = {}
        try:
            from search.enrich.entities.map import EntityMap  # lands beside the indexer
        except ImportError:
            return
        try:
            self._map = EntityMap.load(index_dir, generation)
        except Exception as exc:  # a missing or damaged map must not stop search
            log.warning("entity map not loaded from %s: %s", index_dir, exc)
            return
        # Indexed values straight from the map's groups (its lookups by folded name are slow);
        # values in no group fall back to the map's own methods.
        for group in getattr(self._map, "groups", ()):
            try:
                target = None if group.hidden else group.canonical
                for kind, value in group.variants:
                    self._direct[(kind, value)] = (target, group.type)
            except (AttributeError, TypeError, ValueError):
                self._direct.clear()
                break

    def canonical(self, field: str, value: str) -> str | None:
        """The canonical value an indexed value belongs to; None when the value is hidden (junk)."""
        key = (field, value)
        if key not in self._canonical:
            self._canonical[key] = self._lookup(field, value)
        return self._canonical[key]

    def _lookup(self, field: str, value: str) -> str | None:
        direct = self._direct.get((EntityKind.of_field(field).value, value))
        if direct is not None:
            return direct[0]
        if self._map is None or not value:
            return value or None
        try:
            return self._map.canonical(EntityKind.of_field(field).value, value)
        except Exception as exc:
            log.debug("canonical(%s, %r) failed: %s", field, value, exc)
            return value

    def field_of(self, field: str, value: str) -> str:
        """The facet field a value belongs to after any retype by the archivist (usually its own)."""
        key = (field, value)
        if key not in self._field:
            self._field[key] = self._field_lookup(field, value)
        return self._field[key]

    def _field_lookup(self, field: str, value: str) -> str:
        direct = self._direct.get((EntityKind.of_field(field).value, value))
        if direct is not None:
            return _FIELD_OF_TYPE.get(direct[1], field)
        if self._map is None or not value:
            return field
        try:
            return _FIELD_OF_TYPE.get(self._map.type_of(EntityKind.of_field(field).value, value), field)
        except Exception:
            return field

    def variants(self, field: str, value: str) -> set[tuple[str, str]]:
        """Every (field, indexed value) a canonical value stands for, itself included."""
        found = {(field, value)}
        if self._map is None:
            return found
        kind = EntityKind.of_field(field).value
        try:
            names = [value]
            resolved = self._map.resolve(kind, value)
            if resolved and resolved != value:
                names.append(resolved)
            for name in names:
                if hasattr(self._map, "variants_by_field"):
                    found.update(self._map.variants_by_field(kind, name) or ())
                else:
                    found.update((field, v) for v in self._map.variants(kind, name) or ())
        except Exception as exc:
            log.debug("variants(%s, %r) failed: %s", field, value, exc)
        return found
