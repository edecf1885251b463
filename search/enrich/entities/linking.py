"""Entity linking by context: a lone surname joins the full name whose articles its own articles resemble."""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from search.enrich.entities.lexicon import ORG, PERSON
from search.enrich.entities.names import fold

if TYPE_CHECKING:
    from search.enrich.entities.merge import Group

log = logging.getLogger(__name__)

# Linking a lone surname by context (see link_lone_surnames): an article votes for the full name whose
# articles it most resembles when that resemblance is clear; the surname joins the name with most votes.
LINK_MIN_SIMILARITY = 0.2  # cosine of an article's context with a full name's articles: below, no vote
LINK_MIN_RATIO = 1.5  # the best full name must resemble the article this many times more than the next
LINK_MIN_SHARE = 0.8  # share of the votes the winner needs (as for aliases: 80% of the claims)
LINK_MIN_VOTED = 0.5  # more than this share of the surname's articles must vote at all
LINK_MIN_VOTES = 1  # one article with a clear context is enough for a surname seen once (Walsh in an Iran-Contra story)
LINK_MIN_PROFILE = 2  # a full name needs this many articles of its own to win a vote (it is a rival with fewer)
LINK_RARE_SHARE = 0.03  # the article must share with the winner a value in at most 3% of the archive's articles
# (the Federal Reserve, 1.7% of Reuters, is evidence; New York, 13%, or Washington, 11%, alone are not)


def _is_lone_surname(g: Group) -> bool:
    words = g.canonical.split()
    return g.type == PERSON and len(words) == 1 and g.canonical.isalpha() and g.canonical[:1].isupper()


def _cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(k, 0.0) for k, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def link_lone_surnames(groups: list[Group], articles: Iterable[Iterable[tuple[str, str]]]) -> list[Group]:
    """Entity linking by context: a surname alone (``Johnson``) that is the last word of several full names
    joins the one whose articles its own articles resemble (co-occurring people, organisations and places,
    weighted by rarity), when more than half of its articles vote and 80% of the votes pick that one."""
    lone = [i for i, g in enumerate(groups) if _is_lone_surname(g)]
    by_last: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        if g.type == PERSON and len(g.canonical.split()) > 1:
            by_last[fold(g.canonical).split()[-1]].append(i)
    candidates = {
        i: by_last[fold(groups[i].canonical)] for i in lone if len(by_last.get(fold(groups[i].canonical), ())) > 1
    }
    if not candidates:
        return groups
    of_variant = {tv: i for i, g in enumerate(groups) for tv in g.variants}
    wanted = set(candidates) | {c for cs in candidates.values() for c in cs}
    df: Counter[int] = Counter()
    n_articles = 0
    lone_docs: dict[int, list[frozenset[int]]] = defaultdict(list)
    cand_docs: dict[int, list[frozenset[int]]] = defaultdict(list)
    for art in articles:
        feats = frozenset(of_variant[tv] for tv in art if tv in of_variant)
        n_articles += 1
        df.update(feats)
        hits = feats & wanted
        if not hits:
            continue
        lones = hits & candidates.keys()
        for i in lones:
            lone_docs[i].append(feats)
        for c in hits - lones:
            if not lones:  # a full name's own articles, without the bare surname, make its profile
                cand_docs[c].append(feats)
    idf = {k: math.log(n_articles / d) for k, d in df.items()}
    profiles: dict[int, dict[int, float]] = {}
    for c, docs in cand_docs.items():
        prof: dict[int, float] = defaultdict(float)
        for feats in docs:
            for k in feats:
                if k != c:
                    prof[k] += idf[k]
        profiles[c] = prof
    joins: dict[int, int] = {}
    rare = LINK_RARE_SHARE * n_articles
    for i, cands in candidates.items():
        surname = fold(groups[i].canonical)
        votes: Counter[int] = Counter()
        for feats in lone_docs.get(i, ()):
            if any(groups[k].type == ORG and surname in fold(groups[k].canonical).split() for k in feats):
                continue  # "Frost and Sullivan Inc", "Johnson Matthey": the surname may be the firm's
            vec = {k: idf[k] for k in feats if k != i}
            sims = sorted(((_cosine(vec, profiles.get(c, {})), c) for c in cands), reverse=True)
            best, winner = sims[0]
            second = sims[1][0] if len(sims) > 1 else 0.0
            if len(cand_docs.get(winner, ())) < LINK_MIN_PROFILE:
                continue  # a name seen in one article is a rival, too thin to win
            shared_rare = any(df[k] <= rare and k in profiles[winner] for k in vec)
            if best >= LINK_MIN_SIMILARITY and best >= LINK_MIN_RATIO * second and shared_rare:
                votes[winner] += 1
        if not votes:
            continue
        winner, n = votes.most_common(1)[0]
        total = sum(votes.values())
        if n >= LINK_MIN_VOTES and n >= LINK_MIN_SHARE * total and total > LINK_MIN_VOTED * len(lone_docs[i]):
            joins[i] = winner
        log.debug(
            "lone surname %s (%d articles): %s; %s",
            groups[i].canonical,
            len(lone_docs[i]),
            ", ".join(f"{groups[c].canonical} {k}" for c, k in votes.most_common()),
            f"joins {groups[winner].canonical}" if i in joins else "stays alone",
        )
    for i, w in joins.items():
        groups[w].variants.update(groups[i].variants)
        groups[w].aliases.update({groups[i].canonical, *groups[i].aliases})
    return [g for i, g in enumerate(groups) if i not in joins]
