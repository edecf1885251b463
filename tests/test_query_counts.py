"""One notion of "how many": the total, the histogram, every facet value and the exports count the same set.

On a real index of the seeds (whose Goa reports share whole paragraphs), the sample archive, and reprints of
seed articles made here that fall in another month, carry no date or name one more person, so that stories
(near-duplicate clusters) straddle histogram bars and facet values. For each query and filter, folded
(stories) and with every version (articles): a value or bar counted N gives N results when chosen, the
export holds as many rows as the page counts, and the bars add up to the total but for the stories they
share, which the result states.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bench.corpora import reuters_text
from search.ingest import index_paths
from search.query import SearchRequest, export, facet_values, open_index, search
from search.query.types import FACET_FIELDS, SearchResult
from tests.conftest import SAMPLES

SEED_GOA = "000_6ec8a26f2ef24f65.txt"
SEED_MOSCOW = "004_31c4eca3d72e0a6c.txt"


def _reprints(seeds: Path, folder: Path) -> None:
    """Reprints of two seeds: one a month later naming one more person, one with its date line dropped."""
    goa = (seeds / SEED_GOA).read_text(encoding="utf-8")
    body = goa.split("\n", 1)[1]
    lead = goa.split("\n", 1)[0].split(" ", 3)[3]
    (folder / "reprint_goa_june.txt").write_text(
        f" date 2023-06-10 {lead}\n{body}\nThe report was reprinted with a comment by Vladimir Putin.\n",
        encoding="utf-8",
    )
    moscow = (seeds / SEED_MOSCOW).read_text(encoding="utf-8")
    (folder / "reprint_moscow_undated.txt").write_text(moscow.split(" ", 3)[3], encoding="utf-8")


@pytest.fixture(scope="module")
def archive(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("counts")
    reprints = folder / "reprints"
    reprints.mkdir()
    _reprints(seeds_dir, reprints)
    index_paths([seeds_dir, SAMPLES, reprints], folder / "index", workers=1)
    arch = open_index(folder / "index")
    yield arch
    arch.close()


def _all(req: SearchRequest) -> SearchRequest:
    return replace(req, page=1, per_page=1000)


def _stories_by_bucket(every: SearchResult, result: SearchResult) -> int:
    """How far the bars and the undated count add up past the total, worked out hit by hit."""
    buckets = {}
    for hit in every.hits:
        where = "undated"
        if hit.date:
            day = date.fromisoformat((hit.date + "-01-01")[:10])
            where = next(b.label for b in result.facets.dates if b.start <= day <= b.end)
        buckets.setdefault(hit.cluster or hit.id, set()).add(where)
    return sum(len(b) - 1 for b in buckets.values())


REQUESTS = [
    SearchRequest(),
    SearchRequest(q="Lavrov"),
    SearchRequest(q="Jaishankar Lavrov talks"),
    SearchRequest(q="Goa", date_from=date(2023, 5, 1), date_to=date(2023, 5, 31)),
    SearchRequest(q="harbour"),
    SearchRequest(people=("Sergey Lavrov",)),
    SearchRequest(q="election OR harbour", sort="newest"),
]


@pytest.mark.parametrize("folded", [True, False], ids=["stories", "every-version"])
@pytest.mark.parametrize("base", REQUESTS, ids=lambda r: r.q or "everything")
def test_every_count_gives_as_many_results_when_chosen(archive, base: SearchRequest, folded: bool) -> None:
    check_counts(archive, base, folded)


def check_counts(archive, base: SearchRequest, folded: bool) -> None:
    """The total, bars, undated and precision counts, facet values and export of one search agree."""
    req = _all(replace(base, collapse=folded))
    result = search(archive, req)
    every = search(archive, replace(req, collapse=False))
    f = result.facets
    assert result.total == len(result.hits) > 0
    assert result.total_articles == every.total == len(every.hits)
    assert result.stories == len({h.cluster or h.id for h in every.hits})
    assert result.total == (result.stories if folded else result.total_articles)
    assert f.counted == ("stories" if folded else "articles")

    # The bars and the undated count add up to the total, but for stories with versions in two bars.
    assert sum(b.count for b in f.dates) + f.undated == result.total + f.overlap
    assert f.overlap == (_stories_by_bucket(every, result) if folded else 0)
    for bar in f.dates:
        if bar.count:
            chosen = search(archive, replace(req, date_from=bar.start, date_to=bar.end))
            assert chosen.total == bar.count, bar.label
    if f.undated:
        assert search(archive, replace(req, precision=("undated",))).total == f.undated
    for value in f.precision:
        if value.count and not req.precision:
            assert search(archive, replace(req, precision=(value.value,))).total == value.count, value.value

    # Every facet value shown, and on the facet's own listing, gives its count when chosen (a facet counts
    # ignoring its own filter, as values of one facet are "any of": the count is that of the value alone).
    for field in FACET_FIELDS:
        listed = {v.value: v.count for v in facet_values(archive, req, field, per_page=1000).values}
        for value in getattr(f, field):
            assert listed.get(value.value) == value.count, (field, value.value)
            if value.count:
                chosen = search(archive, replace(req, **{field: (value.value,)}))
                assert chosen.total == value.count, (field, value.value)

    # The export holds the rows the page counts, in its order, and says which they are.
    out = export(archive, req)
    rows = [row.hit.id for row in out.rows]
    assert out.total == out.exported == len(rows) == result.total
    assert rows == [h.id for h in result.hits]
    assert (out.folded, out.articles, out.stories) == (folded, result.total_articles, result.stories)


def test_the_reprints_straddle_bars_and_values(archive) -> None:
    """The fixture does what the test above needs: stories with versions in two months and only one with a name."""
    req = _all(SearchRequest(q="Lavrov"))
    result = search(archive, req)
    assert result.folded >= 2 and result.facets.overlap >= 2
    every = search(archive, replace(req, collapse=False))
    putin = {v.value: v.count for v in result.facets.people}.get("Vladimir Putin")
    putin_every = {v.value: v.count for v in every.facets.people}.get("Vladimir Putin")
    assert putin and putin_every and putin < putin_every


def test_counts_of_a_page_beyond_the_first_are_the_same(archive) -> None:
    first = search(archive, SearchRequest(q="Lavrov", per_page=1))
    for page, collapse in itertools.product((2, 3), (True, False)):
        later = search(archive, SearchRequest(q="Lavrov", per_page=1, page=page, collapse=collapse))
        twin = search(archive, SearchRequest(q="Lavrov", per_page=1, collapse=collapse))
        assert later.facets == twin.facets and later.total == twin.total
    assert first.total == first.stories


REUTERS_ARTICLES = 900  # the first articles of Reuters-21578: wire stories, their updates and reprints


@pytest.fixture(scope="module")
def reuters(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("reuters-counts")
    records = itertools.islice(reuters_text.articles(corpus / "reuters21578"), REUTERS_ARTICLES)
    lines = "".join(json.dumps(reuters_text.record(a)) + "\n" for a in records)
    (folder / "articles.jsonl").write_text(lines, encoding="utf-8")
    index_paths([folder / "articles.jsonl"], folder / "index", workers=1)
    arch = open_index(folder / "index")
    yield arch
    arch.close()


REUTERS_REQUESTS = [
    SearchRequest(),
    SearchRequest(q="oil prices"),
    SearchRequest(q="trade", places=("Japan",)),
    SearchRequest(q="bank", date_from=date(1987, 3, 1), date_to=date(1987, 3, 5)),
]


@pytest.mark.slow
@pytest.mark.parametrize("folded", [True, False], ids=["stories", "every-version"])
@pytest.mark.parametrize("base", REUTERS_REQUESTS, ids=lambda r: r.q or "everything")
def test_reuters_counts_give_as_many_results_when_chosen(reuters, base: SearchRequest, folded: bool) -> None:
    check_counts(reuters, base, folded)


@pytest.mark.slow
def test_reuters_has_reprints_to_fold(reuters) -> None:
    result = search(reuters, SearchRequest(per_page=1))
    assert result.folded > 10 and result.facets.overlap > 0
