"""Commits merge segments at a cost linear in the archive: full segments stay, small and hollow ones are folded."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from search.index.merge import SMALL_SEGMENTS_MAX
from search.index.storage import INDEX_NAME, open_for_reading
from search.ingest import index_paths
from tests.helpers.articles import write_articles

COMMIT = 10  # articles per commit in these runs: segments of at least 5 live articles are full


def _segments(index_dir: Path) -> list:
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)._segments()


def _ids(index_dir: Path) -> set[str]:
    with open_for_reading(index_dir).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_a_bulk_run_writes_each_article_once_and_never_merges_its_full_segments(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, 9 * COMMIT)
    index_dir = tmp_path / "ix"
    first = None
    for run in range(2):  # the second run adds a tenth segment beside the nine of the first
        if run:
            write_articles(folder, COMMIT, start=9 * COMMIT)
        summary = index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False)
        segments = _segments(index_dir)
        first = first or [s.segment_id() for s in segments]
        # Whoosh's default policy would have merged the first seven into one at the seventh commit.
        assert [s.doc_count_all() for s in segments] == [COMMIT] * (9 + run)
        assert [s.segment_id() for s in segments][:9] == first
    assert summary.added == COMMIT and summary.documents == 10 * COMMIT
    assert len(_ids(index_dir)) == 10 * COMMIT


def test_many_small_update_runs_are_folded_so_the_segment_count_stays_bounded(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, 3 * COMMIT)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False)
    counts = []
    for run in range(SMALL_SEGMENTS_MAX + 3):  # one or two new articles a run, as a daily feed brings them
        write_articles(folder, 1 + run % 2, start=100 + 2 * run)
        index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False)
        counts.append(len(_segments(index_dir)))
    assert max(counts) <= 3 + SMALL_SEGMENTS_MAX  # the three full segments and at most that many small ones
    assert min(counts[SMALL_SEGMENTS_MAX:]) < max(counts)  # a commit that would add one too many merged them
    new = {f"article-{100 + 2 * run + k:05d}.txt" for run in range(SMALL_SEGMENTS_MAX + 3) for k in range(1 + run % 2)}
    assert new <= _ids(index_dir) and len(_ids(index_dir)) == 3 * COMMIT + len(new)


def test_a_segment_mostly_replaced_or_removed_gives_its_space_back(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    paths = write_articles(folder, 3 * COMMIT)
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False)
    for path in paths[:4]:  # 40% of the first segment changes: its old copies are deleted documents
        path.write_text(path.read_text() + "\nA correction was added later.\n")
    index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False)
    ix = open_for_reading(index_dir)
    assert ix.doc_count_all() == ix.doc_count() == 3 * COMMIT  # nothing deleted is still held on disk
    with ix.searcher() as searcher:
        corrected = {hit["id"] for hit in searcher.find("body", "correction", limit=None)}
    assert corrected == {p.name for p in paths[:4]}

    for path in paths[COMMIT : 2 * COMMIT]:  # a whole segment's files go: the segment goes, unread
        path.unlink()
    index_paths([folder], index_dir, workers=1, commit_every=COMMIT, entities=False, prune=True)
    ix = open_for_reading(index_dir)
    assert ix.doc_count_all() == ix.doc_count() == 2 * COMMIT
    assert _ids(index_dir) == {p.name for p in paths[:COMMIT] + paths[2 * COMMIT :]}
