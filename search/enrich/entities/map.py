"""Archive-wide canonical entity values, stored as plain JSON in the index folder (no Whoosh here).

``entities.<generation>.json.gz`` holds what the indexer merged automatically for one commit (gzipped: it
counts in the index's size on disk and shrinks about tenfold). The indexer writes it *before* that commit's
table of contents, so a reader of generation N always finds a map made for N or an earlier commit, never one
for a commit that did not happen; a name that a map lacks is shown as it is, at the cost of one lookup.
``authority.json`` holds the archivist's rules and is applied on top at every load, so it is never lost on
re-index.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from search.documents import ENTITY_KINDS
from search.enrich.entities.authority import AuthorityError, apply_rules, load_rules, write_json_atomic
from search.enrich.entities.lexicon import PERSON_TITLES, TITLE_MODIFIERS
from search.enrich.entities.merge import Group, merge_groups
from search.enrich.entities.names import fold, person_key

log = logging.getLogger(__name__)

ENTITIES_FILE = "entities.json.gz"  # a map tied to no commit (older indexes, and maps built outside an index)
LEGACY_ENTITIES_FILE = "entities.json"  # what older indexes hold (plain JSON), read when no .gz is there
_GENERATION_FILE = re.compile(r"entities\.(\d+)\.json\.gz")
FIELD_OF_TYPE = {kind.value: kind.field for kind in ENTITY_KINDS}


def generation_file(generation: int) -> str:
    """The name of the entity map made for one commit of the index."""
    return f"entities.{generation}.json.gz"


def map_generations(index_dir: Path) -> list[int]:
    """The commits that have an entity map in the folder, oldest first."""
    try:
        names = [p.name for p in Path(index_dir).iterdir()]
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in map(_GENERATION_FILE.fullmatch, names) if m)


def map_path(index_dir: Path, generation: int | None = None) -> Path | None:
    """The entity map a reader of ``generation`` uses: the newest made for that commit or an earlier one
    (a newer one belongs to a commit it cannot see, or to one that never happened); with no generation, the
    newest. A map tied to no commit (an older index) when there is none of those; else None."""
    index_dir = Path(index_dir)
    gens = map_generations(index_dir)
    usable = [g for g in gens if generation is None or g <= generation]
    if usable:
        return index_dir / generation_file(usable[-1])
    for name in (ENTITIES_FILE, LEGACY_ENTITIES_FILE):
        if (index_dir / name).exists():
            return index_dir / name
    return None


def map_generation(index_dir: Path) -> int | None:
    """The commit the newest entity map was made for (None: no map, or one tied to no commit)."""
    gens = map_generations(index_dir)
    return gens[-1] if gens else None


def read_entities_file(index_dir: Path, generation: int | None = None) -> dict:
    """The automatic entity map as stored beside the index (``{"version", "groups"}``; ``{}`` when absent)."""
    path = map_path(Path(index_dir), generation)
    if path is None:
        return {}
    if path.suffix == ".gz":
        return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return json.loads(path.read_text(encoding="utf-8"))


class EntityMap:
    """Archive-wide canonical values: maps each indexed (type, value) to one canonical value per real entity,
    with the archivist's authority file applied on top."""

    def __init__(self, groups: Iterable[Group] = (), rules: list[dict[str, object]] | None = None) -> None:
        base = list(groups)
        self.auto_groups = [Group(g.type, g.canonical, dict(g.variants), set(g.aliases), g.hidden) for g in base]
        self.groups, self.changes = apply_rules(base, rules or [])
        self.rules = rules or []
        self._by_variant: dict[tuple[str, str], Group] = {}
        self._by_key: dict[tuple[str, str], list[Group]] = {}
        self._by_indexed_key: dict[tuple[str, str], list[Group]] | None = None  # made on first need
        self._by_canonical: dict[tuple[str, str], Group] = {}
        for g in self.groups:
            for tv in g.variants:
                self._by_variant[tv] = g
            self._by_canonical.setdefault((g.type, g.canonical), g)
            for name in {g.canonical, *g.aliases, *(v for _t, v in g.variants)}:
                self._by_key.setdefault((g.type, fold(name)), []).append(g)
        self._hidden_names = {(r.get("type"), fold(str(r["value"]))) for r in self.rules if r.get("op") == "hide"}

    # ------------------------------------------------------------------------------------ build, load
    @classmethod
    def rebuild(
        cls,
        index_dir: Path,
        counts: Mapping[tuple[str, str], int],
        aliases: Mapping[tuple[str, str], Iterable[str]],
        articles: Iterable[Iterable[tuple[str, str]]] | None = None,
        generation: int | None = None,
    ) -> EntityMap:
        """Merge every indexed (type, value) across the archive, write the map atomically, return it.

        ``articles``, each article's indexed (type, value) pairs, is the context that links a lone surname to
        the full name its articles resemble; without it, a surname shared by several people stays alone.
        ``generation``: the commit the map is made for (the indexer writes it before that commit's table of
        contents, and removes the maps of earlier commits once that is written)."""
        groups = merge_groups(counts, aliases, articles)
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "groups": [g.to_json() for g in groups]}
        if generation is None:
            write_json_atomic(index_dir / ENTITIES_FILE, data, compact=True)
        else:
            data["generation"] = generation
            write_json_atomic(index_dir / generation_file(generation), data, compact=True)
        (index_dir / LEGACY_ENTITIES_FILE).unlink(missing_ok=True)  # an older index's plain map is now stale
        return cls(groups, load_rules(index_dir))

    @classmethod
    def load(cls, index_dir: Path, generation: int | None = None) -> EntityMap:
        """Read the automatic entity map for a commit (the newest if None; empty if absent), apply the authority
        file."""
        groups: list[Group] = []
        try:
            data = read_entities_file(Path(index_dir), generation)
            groups = [Group.from_json(g) for g in data.get("groups", [])]
        except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error) as exc:
            log.warning("ignoring unreadable entity map in %s: %s", index_dir, exc)
        try:
            rules = load_rules(Path(index_dir))
        except AuthorityError as exc:  # a hand-edit gone wrong must not take the automatic merges down
            log.warning("authority file ignored: %s", exc)
            rules = []
        return cls(groups, rules)

    # ---------------------------------------------------------------------------------------- lookups
    def _group(self, type: str, value: str) -> Group | None:
        g = self._by_variant.get((type, value))
        if g is not None:
            return g
        key = fold(value)
        hits = self._by_key.get((type, key))
        if hits:
            return max(hits, key=lambda h: h.count)
        # Retyped away from `type`: still found by its indexed type. One dictionary, folded once, not a walk over
        # every group per lookup (a map missing a commit's names made that millions of fold() calls).
        if self._by_indexed_key is None:
            self._by_indexed_key = {}
            for g in self.groups:
                for t, v in g.variants:
                    if t != g.type:
                        self._by_indexed_key.setdefault((t, fold(v)), []).append(g)
        hits = self._by_indexed_key.get((type, key))
        return hits[0] if hits else None

    def canonical(self, type: str, value: str) -> str | None:
        """The canonical value of an indexed value; None when the authority file hides it."""
        g = self._group(type, value)
        if g is None:
            if (None, fold(value)) in self._hidden_names or (type, fold(value)) in self._hidden_names:
                return None
            return value
        return None if g.hidden else g.canonical

    def type_of(self, type: str, value: str) -> str:
        """The value's type after any retype by the authority file."""
        g = self._group(type, value)
        return g.type if g is not None else type

    def _canonical_group(self, type: str, canonical: str) -> Group | None:
        g = self._by_canonical.get((type, canonical))
        if g is None:
            hits = self._by_key.get((type, fold(canonical)))
            g = max(hits, key=lambda h: h.count) if hits else None
        return g

    def variants(self, type: str, canonical: str) -> list[str]:
        """Indexed values that map to the canonical value (for filters); [canonical] if it is unknown."""
        g = self._canonical_group(type, canonical)
        return g.values() if g is not None else [canonical]

    def variants_by_field(self, type: str, canonical: str) -> list[tuple[str, str]]:
        """(facet field, indexed value) pairs of a canonical value; differs from ``variants`` only after a
        retype, when some values sit in another type's field (``people`` values retyped to place)."""
        g = self._canonical_group(type, canonical)
        if g is None:
            return [(FIELD_OF_TYPE[type], canonical)]
        return [(FIELD_OF_TYPE.get(t, t), v) for (t, v) in g.variants]

    def aliases(self, type: str, canonical: str) -> list[str]:
        """Every known surface form of the entity, the canonical value first."""
        g = self._canonical_group(type, canonical)
        if g is None:
            return [canonical]
        rest = sorted(({*g.aliases, *g.values()} - {g.canonical}), key=str.lower)
        return [g.canonical, *rest]

    def resolve(self, type: str, text: str) -> str | None:
        """User text (``Lavrov``, ``sco``) -> canonical value of that type, or None if none fits."""
        key = fold(text)
        if not key:
            return None
        hits = [g for g in self._by_key.get((type, key), []) if not g.hidden]
        if not hits and type == "person":  # "Dr. S. Jaishankar", "President Putin": drop the titles
            words = text.split()
            while len(words) > 1 and words[0].lower().rstrip(".") in PERSON_TITLES | TITLE_MODIFIERS:
                words = words[1:]
            text = " ".join(words)
            key = fold(text)
            hits = [g for g in self._by_key.get((type, key), []) if not g.hidden]
        if not hits and type == "person":
            _, last = person_key(text)
            if " " not in key:
                hits = [
                    g
                    for g in self.groups
                    if g.type == type
                    and not g.hidden
                    and any(person_key(v)[1] == last for v in (g.canonical, *g.values()))
                ]
        if not hits:
            return None
        return max(hits, key=lambda g: g.count).canonical

    def entries(self, type: str | None = None, include_hidden: bool = False) -> list[Group]:
        """The entities (most documents first), for listings."""
        out = [g for g in self.groups if (type is None or g.type == type) and (include_hidden or not g.hidden)]
        return sorted(out, key=lambda g: (-g.count, g.canonical))


def remove_maps_before(index_dir: Path, generation: int) -> None:
    """Remove the maps of commits before ``generation`` and a map tied to no commit (superseded by it)."""
    index_dir = Path(index_dir)
    for g in map_generations(index_dir):
        if g < generation:
            (index_dir / generation_file(g)).unlink(missing_ok=True)
    (index_dir / ENTITIES_FILE).unlink(missing_ok=True)
