"""Archive-wide merging of entity values: one group (and one canonical value) per real entity."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from search.enrich.entities.lexicon import (
    KNOWN_ORGS,
    ORG,
    PERSON,
    PERSON_TITLES,
    PLACE,
    PLACE_ALIASES,
    TITLE_MODIFIERS,
)
from search.enrich.entities.linking import link_lone_surnames
from search.enrich.entities.names import (
    acronym_of,
    fold,
    initials_compatible,
    name_key,
    org_key,
    person_key,
    place_key,
    translit,
)

log = logging.getLogger(__name__)


@dataclass
class Group:
    """One real entity: its canonical value, the indexed values (with document counts) and every alias."""

    type: str
    canonical: str
    variants: dict[tuple[str, str], int] = field(default_factory=dict)  # (indexed type, value) -> documents
    aliases: set[str] = field(default_factory=set)
    hidden: bool = False

    @property
    def count(self) -> int:
        return sum(self.variants.values())

    def to_json(self) -> dict[str, object]:
        """The group as stored in entities.json (variants as [indexed type, value, documents])."""
        return {
            "type": self.type,
            "canonical": self.canonical,
            "count": self.count,
            "variants": [[t, v, c] for (t, v), c in sorted(self.variants.items(), key=lambda kv: (-kv[1], kv[0]))],
            "aliases": sorted(self.aliases),
            **({"hidden": True} if self.hidden else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Group:
        variants = {(str(t), str(v)): int(c) for t, v, c in data.get("variants", [])}  # type: ignore[union-attr]
        aliases = set(data.get("aliases", []))  # type: ignore[arg-type]
        return cls(str(data["type"]), str(data["canonical"]), variants, aliases, bool(data.get("hidden")))

    def values(self) -> list[str]:
        """The indexed values of the group, most documents first."""
        return [v for (_, v), _c in sorted(self.variants.items(), key=lambda kv: (-kv[1], kv[0]))]


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return out


def _is_initial_form(value: str) -> bool:
    words = value.split()
    return len(words) > 1 and len(words[0].strip(".")) == 1


def _person_groups(counts: Mapping[str, int], aliases: Mapping[str, set[str]]) -> list[list[str]]:
    values = list(counts)
    uf = _UnionFind(values)
    by_surname: dict[str, list[str]] = defaultdict(list)
    singles: dict[str, list[str]] = defaultdict(list)
    for v in values:
        first, last = person_key(v)
        if not last:
            continue
        (by_surname if first else singles)[last].append(v)
    for names in by_surname.values():
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if initials_compatible(a, b):
                    uf.union(a, b)
    # "Reserve Board Vice-Chairman Manuel Johnson" is Manuel Johnson: a title swallowed into the span.
    for v in values:
        rest = _after_title(v)
        if rest in uf.parent:
            uf.union(rest, v)
    # A surname alone joins the one full name that dominates it (>= 80% of the documents with that surname).
    for last, names in singles.items():
        fulls = by_surname.get(last)
        if fulls:
            _join_dominant(uf, counts, fulls, names)
    # "Hernandez Grisanti" is the end of "Arturo Hernandez Grisanti": the one longer name that ends with it.
    for names in by_surname.values():
        for v in names:
            longer = [f for f in names if f != v and f.endswith(" " + v)]
            if longer and len({uf.find(f) for f in longer}) == 1:
                uf.union(longer[0], v)
    _surname_first(uf, counts, singles, by_surname)
    _union_by_alias(uf, counts, aliases, key=name_key)
    return list(uf.groups().values())


def _surname_first(
    uf: _UnionFind, counts: Mapping[str, int], singles: Mapping[str, list[str]], by_surname: Mapping[str, list[str]]
) -> None:
    """A lone name that no full name ends with but one full name begins with, and that is no given name, is that
    name's surname written first ("Zhao" of "Zhao Ziyang", "Deng" of "Deng Xiaoping"): it joins the full name
    that holds 80% of the documents of those beginning with it."""
    from search.enrich.entities.gazetteer import lexicon

    given = lexicon().first_names
    by_first: dict[str, list[str]] = defaultdict(list)
    for fulls in by_surname.values():
        for f in fulls:
            by_first[translit(name_key(f).split()[0])].append(f)
    for key, names in singles.items():
        fulls = by_first.get(key)
        if by_surname.get(key) or not fulls or any(n.lower() in given for n in names):
            continue
        _join_dominant(uf, counts, fulls, names)


def _join_dominant(uf: _UnionFind, counts: Mapping[str, int], fulls: list[str], names: list[str]) -> None:
    """The short names join the group of full names that holds at least 80% of the full names' documents."""
    totals: dict[str, int] = defaultdict(int)
    for f in fulls:
        totals[uf.find(f)] += counts[f]
    root, best = max(totals.items(), key=lambda kv: kv[1])
    if best >= 0.8 * sum(totals.values()):
        for n in names:
            uf.union(root, n)


def _is_title_word(word: str) -> bool:
    low = word.lower()
    return low in PERSON_TITLES or low in TITLE_MODIFIERS or any(p in PERSON_TITLES for p in low.split("-") if p)


def _after_title(value: str) -> str:
    """The name after the last title word of a long person value ("Fed Vice-Chairman Manuel Johnson" ->
    "Manuel Johnson"); "" when there is no title or fewer than two words follow it."""
    words = value.split()
    if not words[-1].replace("-", "").isalpha():  # "Snyder Oil Partners L.P" is a company
        return ""
    for i in range(len(words) - 3, -1, -1):
        if _is_title_word(words[i]):
            return " ".join(words[i + 1 :])
    return ""


def _union_by_alias(
    uf: _UnionFind,
    counts: Mapping[str, int],
    aliases: Mapping[str, set[str]],
    key,
    known: Mapping[str, str] | None = None,
) -> None:
    """Join values that another value lists among its aliases (``SCO`` seen as an alias of the expansion),
    when one entity holds at least 80% of the documents of the values that claim the alias: ``Johnson``
    listed by Manuel and Paul Johnson, or ``EC`` by a fragment ``Economic Cooperation`` (``known`` gives EC's
    expansion), join nothing; a place abbreviation (``U.S.``) never joins anything."""
    values = list(counts)
    index: dict[str, list[str]] = defaultdict(list)
    for v in values:
        index[key(v)].append(v)
    known_keys = {key(a): key(full) for a, full in (known or {}).items()}
    claims: dict[str, set[str]] = defaultdict(set)
    for v in values:
        for a in aliases.get(v, ()):
            k = key(a)
            if k not in index or k == key(v) or place_key(a) in PLACE_ALIASES:
                continue
            if known_keys.get(k, k) not in (k, key(v)):  # EC is European Community's, no one else's
                continue
            claims[k].add(v)
    for k, claimants in claims.items():
        docs: dict[str, int] = defaultdict(int)
        for v in claimants:
            docs[uf.find(v)] += counts[v]
        root, best = max(docs.items(), key=lambda kv: kv[1])
        if best >= 0.8 * sum(docs.values()):
            for other in index[k]:
                uf.union(root, other)


_BOARD = re.compile(r"^(.+?)\s+(?:Board|Committee|Department)(?:\s+of\s+(?:Governors|Directors))?$")


def _org_groups(counts: Mapping[str, int], aliases: Mapping[str, set[str]]) -> list[list[str]]:
    values = list(counts)
    uf = _UnionFind(values)
    by_key: dict[str, list[str]] = defaultdict(list)
    for v in values:
        by_key[org_key(v)].append(v)
    for same in by_key.values():
        for other in same[1:]:
            uf.union(same[0], other)
    _union_by_alias(uf, counts, aliases, key=org_key, known=KNOWN_ORGS)
    # An organisation and its board or committee are one entity ("Federal Reserve Board", "Federal Reserve").
    for v in values:
        m = _BOARD.match(v)
        if m and by_key.get(org_key(m.group(1))):
            uf.union(by_key[org_key(m.group(1))][0], v)
    # Well-known acronyms join their expansion when both are in the archive (IMF, International Monetary Fund).
    for acr, full in KNOWN_ORGS.items():
        a = by_key.get(org_key(acr))
        f = by_key.get(org_key(full))
        if a and f:
            uf.union(f[0], a[0])
    # An acronym joins the multiword organisation whose initials it spells, if that one holds >= 80% of the
    # documents of all that spell it (a typo "International Business Machine Corp" does not stop IBM).
    known_acronyms = {a.replace(".", "").upper() for a in KNOWN_ORGS if " " not in a}
    initials: dict[str, list[str]] = defaultdict(list)
    for v in values:
        if len(v.split()) > 1:
            for acr in {acronym_of(v), acronym_of(org_key(v))}:  # IBM for International Business Machines Corp
                initials[acr].append(v)
    for v in values:
        compact = v.replace(".", "")
        if compact.upper() in known_acronyms or place_key(v) in PLACE_ALIASES:
            continue  # FED is the Federal Reserve's whatever else spells it; "N.Z." is New Zealand, not "Neutral Zone"
        if compact.isupper() and 2 <= len(compact) <= 6 and " " not in v:
            docs: dict[str, int] = defaultdict(int)
            for x in initials.get(compact, ()):
                docs[uf.find(x)] += counts[x]
            if docs:
                root, best = max(docs.items(), key=lambda kv: kv[1])
                if best >= 0.8 * sum(docs.values()):
                    uf.union(root, v)
    return list(uf.groups().values())


def _place_groups(counts: Mapping[str, int], aliases: Mapping[str, set[str]]) -> list[list[str]]:
    values = list(counts)
    uf = _UnionFind(values)
    by_key: dict[str, list[str]] = defaultdict(list)
    for v in values:
        k = place_key(v)
        by_key[name_key(PLACE_ALIASES.get(k, k))].append(v)
    for same in by_key.values():
        for other in same[1:]:
            uf.union(same[0], other)
    return list(uf.groups().values())


def _choose_canonical(type_: str, members: list[str], counts: Mapping[str, int]) -> str:
    """The fullest common form: full first names over initials, then the most documents, then length."""
    if type_ == PLACE:
        for m in members:
            target = PLACE_ALIASES.get(place_key(m))
            if target:
                return target
    if type_ == PERSON:
        full = [m for m in members if len(m.split()) > 1 and not _is_initial_form(m)]
        pool = full or [m for m in members if len(m.split()) > 1] or members
    elif type_ == ORG:
        long = [m for m in members if not (m.replace(".", "").isupper() and " " not in m)]
        pool = long or members
    else:
        pool = members
    return max(pool, key=lambda m: (counts[m], len(m), m))


def _archive_types(per_type: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:
    """Archive-level typing: a person value that names a company typed as such elsewhere in the archive
    ("Goldman Sachs" beside "Goldman Sachs and Co", "Chrysler" beside "Chrysler Corp") is that company."""
    moves: dict[tuple[str, str], str] = {}
    orgs = per_type.get(ORG, {})
    by_key: dict[str, int] = defaultdict(int)
    for v, c in orgs.items():
        if org_key(v) != name_key(v):  # a legal suffix or "and Co": strong evidence of a company
            by_key[org_key(v)] += c
    # "Morgan" beside Morgan Stanley and Morgan Guaranty, "Smith Barney" beside Smith Barney Harris Upham and Co:
    # organisation names that begin with the value and hold many more documents than it.
    prefix_docs: dict[str, int] = defaultdict(int)
    for v, c in orgs.items():
        words = v.split()
        for k in range(1, len(words)):
            prefix_docs[" ".join(words[:k])] += c
    for v, c in per_type.get(PERSON, {}).items():
        k = org_key(v)
        factor = 5 if " " not in v else 1.5
        if by_key.get(k, 0) * 2 >= c or (v in orgs and orgs[v] >= 2 * c) or prefix_docs.get(v, 0) >= factor * c:
            moves[(PERSON, v)] = ORG
    return moves


FIRM_WORD_RATIO = 0.5  # articles of the values bearing the word, per article of the lone person value


def _firm_words(groups: list[Group]) -> list[Group]:
    """A person value of one word that is mostly a word of firms' names ("Phelps" of Phelps Dodge, "Wagner" of
    Wagner and Brown, "Donaldson" of Donaldson, Lufkin and Jenrette, "Bell" of the Bell companies) is no person: it
    joins the organisation holding 80% of the articles of the values bearing the word, or, when none does, it is
    hidden (a fragment that names no one entity).  Values bearing it: organisations with the word anywhere, and
    (unless it is a given name) other values with it before their last word, which a surname never is."""
    from search.enrich.entities.gazetteer import lexicon

    given = lexicon().first_names
    bearing: dict[str, Counter[int]] = defaultdict(Counter)
    surname_of: Counter[str] = Counter()  # articles of the full person names that end with the word
    for i, g in enumerate(groups):
        for (_t, v), c in g.variants.items():
            words = fold(v).split()
            if g.type == PERSON and len(words) > 1:
                surname_of[words[-1]] += c
            for k, w in enumerate(words):
                if g.type == ORG or (k < len(words) - 1 and w not in given):
                    bearing[w][i] += c
    joined: set[int] = set()
    for i, g in enumerate(groups):
        if g.type != PERSON or " " in g.canonical or not g.canonical.isalpha():
            continue
        word = fold(g.canonical)
        firms = bearing.get(word)
        if not firms or sum(firms.values()) < max(FIRM_WORD_RATIO * g.count, surname_of[word] + 1):
            continue  # not mostly a firm's word, or the surname of people more than a word of firms ("Johnson")
        j, best = firms.most_common(1)[0]
        if best >= 0.8 * sum(firms.values()) and groups[j].type == ORG:
            groups[j].variants.update(g.variants)
            groups[j].aliases.update({g.canonical, *g.aliases})
            joined.add(i)
        else:
            g.hidden = True
        log.debug("person value %s is a word of firms' names: %s", g.canonical, "joined" if i in joined else "hidden")
    return [g for i, g in enumerate(groups) if i not in joined]


def merge_groups(
    counts: Mapping[tuple[str, str], int],
    aliases: Mapping[tuple[str, str], Iterable[str]],
    articles: Iterable[Iterable[tuple[str, str]]] | None = None,
) -> list[Group]:
    """Group every indexed (type, value) into real entities, one canonical value each; ``articles`` (each
    article's indexed (type, value) pairs) lets a lone surname join the full name its articles resemble."""
    indexed: dict[str, dict[str, int]] = defaultdict(dict)
    for (t, v), c in counts.items():
        if v:
            indexed[t][v] = indexed[t].get(v, 0) + int(c)
    moves = _archive_types(indexed)
    # per_type: the values each type's merging sees; origin: where each came from in the index.
    per_type: dict[str, dict[str, int]] = defaultdict(dict)
    origin: dict[str, dict[str, dict[tuple[str, str], int]]] = defaultdict(lambda: defaultdict(dict))
    for t, tc in indexed.items():
        for v, c in tc.items():
            target = moves.get((t, v), t)
            per_type[target][v] = per_type[target].get(v, 0) + c
            origin[target][v][(t, v)] = c
    per_alias: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (t, v), al in aliases.items():
        target = moves.get((t, v), t)
        if v in per_type.get(target, {}):
            per_alias[target][v].update(a for a in al if a)
    out: list[Group] = []
    builders = {PERSON: _person_groups, ORG: _org_groups, PLACE: _place_groups}
    for t, tc in per_type.items():
        build = builders.get(t, _place_groups)
        for members in build(tc, per_alias[t]):
            canon = _choose_canonical(t, members, tc)
            al: set[str] = set()
            variants: dict[tuple[str, str], int] = {}
            for m in members:
                al.add(m)
                al.update(per_alias[t].get(m, ()))
                variants.update(origin[t][m])
            al.discard(canon)
            out.append(Group(t, canon, variants, al))
    out = _firm_words(out)
    if articles is not None:
        out = link_lone_surnames(out, articles)
    out.sort(key=lambda g: (g.type, -g.count, g.canonical))
    return out
