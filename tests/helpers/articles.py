"""Generate many plausible plain-text articles for crash, load and incremental tests."""

from __future__ import annotations

import random
from pathlib import Path

PEOPLE = ["Helena Sardinha", "Pieter Vandermolen", "Clara Valadares", "Henrique Almada", "Rita Figueiredo"]
PLACES = ["Lisbon", "Porto", "Coimbra", "Braga", "Faro", "Aveiro", "Sines", "Evora"]
ORGS = ["Northern Shipping Council", "National Weather Institute", "Atlantic Heritage Foundation"]
WORDS = [
    "council",
    "port",
    "harbour",
    "election",
    "museum",
    "river",
    "flood",
    "grant",
    "ferry",
    "library",
    "tram",
    "housing",
    "market",
    "trade",
    "minister",
    "mayor",
    "union",
    "contract",
    "fishermen",
    "budget",
    "school",
    "hospital",
    "bridge",
    "festival",
    "rail",
    "airport",
]


def write_articles(folder: Path, count: int, seed: int = 7, start: int = 0) -> list[Path]:
    """Write ``count`` dated articles named article-NNNNN.txt into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        person, place, org = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ORGS)
        sentences = [
            f"{person} of the {org} spoke in {place} about the {rng.choice(WORDS)} and the {rng.choice(WORDS)}."
            for _ in range(rng.randint(4, 9))
        ]
        day = 1 + n % 28
        text = f" date 2024-{1 + n % 12:02d}-{day:02d} Article {n} on {rng.choice(WORDS)} in {place}.\n\n"
        text += "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)) + "\n"
        path = folder / f"article-{n:05d}.txt"
        path.write_text(text)
        paths.append(path)
    return paths
