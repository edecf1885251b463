"""Find NLTK's data, fetch it where that is possible, and name what is missing."""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

import nltk

log = logging.getLogger(__name__)

# The project's private copy (see the Makefile); SEARCH_NLTK_DIR moves it.
PROJECT_DATA = Path(os.environ.get("SEARCH_NLTK_DIR") or Path(__file__).resolve().parents[2] / "nltk_data")

# NLTK package id -> a resource path that proves it is installed.
PACKAGES: dict[str, str] = {
    "punkt_tab": "tokenizers/punkt_tab/english/",
    "averaged_perceptron_tagger_eng": "taggers/averaged_perceptron_tagger_eng/",
    "maxent_ne_chunker_tab": "chunkers/maxent_ne_chunker_tab/english_ace_binary/",
    "words": "corpora/words/en-basic",
    "stopwords": "corpora/stopwords/english",
    "names": "corpora/names/male.txt",
    "gazetteers": "corpora/gazetteers/countries.txt",
}


class NltkDataMissing(RuntimeError):
    """An NLTK data package is not installed and could not be fetched."""

    def __init__(self, package: str) -> None:
        self.package = package
        super().__init__(
            f"NLTK data package {package!r} is missing. Set NLTK_DATA to a folder that has it, "
            f"or run: python -m nltk.downloader -d {PROJECT_DATA} {package}"
        )


def configure() -> None:
    """Put NLTK_DATA and the project's own nltk_data/ first on NLTK's search path."""
    for folder in (os.environ.get("NLTK_DATA", ""), str(PROJECT_DATA)):
        for part in folder.split(os.pathsep):
            if part and part not in nltk.data.path:
                nltk.data.path.insert(0, part)


def _installed(resource: str) -> bool:
    try:
        nltk.data.find(resource)
    except LookupError:
        return False
    return True


@cache
def require(package: str) -> None:
    """Make sure one NLTK package is there: found, or downloaded; else NltkDataMissing."""
    configure()
    resource = PACKAGES[package]
    if _installed(resource):
        return
    log.info("downloading NLTK package %s into %s", package, PROJECT_DATA)
    try:
        ok = nltk.download(package, download_dir=str(PROJECT_DATA), quiet=True, raise_on_error=False)
    except Exception:  # network errors surface as many types; the message below says what to do
        ok = False
    if not ok or not _installed(resource):
        raise NltkDataMissing(package)


def require_all() -> None:
    """Check every package the pipeline uses (the Makefile's set-up step calls this)."""
    for package in PACKAGES:
        require(package)


if __name__ == "__main__":  # python -m search.enrich.nltk_data
    import sys

    try:
        require_all()
    except NltkDataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print("NLTK data ready:", ", ".join(PACKAGES))
