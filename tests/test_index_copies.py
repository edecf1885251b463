"""Exact copies of an article (wire stories filed again under new ids) are enriched once and indexed in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.index.storage import open_for_reading
from search.ingest import index_paths

STORIES = [
    (
        "Harbour council backs ferry plan",
        "Maria Lopes, the mayor of Lisbon, said the Harbour Council would add "
        "two ferry crossings on weekdays from May.",
    ),
    (
        "Wheat rises in Chicago",
        "Wheat futures rose in Chicago after the Agriculture Department cut its forecast "
        "for the winter crop in Kansas.",
    ),
    ("Bank holds rates", "The Bundesbank left its discount rate unchanged, said Karl Otto Poehl in Frankfurt."),
]
COPIES = 40  # far more records than one task holds, so later copies meet an original already written


def _write_records(folder: Path) -> list[dict[str, str]]:
    records = [
        {"id": f"story-{s}-{k}", "title": title, "body": body, "date": f"19{60 + k}-03-0{1 + s}"}
        for k in range(COPIES)
        for s, (title, body) in enumerate(STORIES)
    ]
    folder.mkdir()
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return records


def _entities_by_id(index_dir: Path) -> dict[str, tuple[str, str, str]]:
    with open_for_reading(index_dir).searcher() as searcher:
        return {
            f["id"]: (f.get("people", ""), f.get("organizations", ""), f.get("places", ""))
            for f in searcher.all_stored_fields()
        }


@pytest.mark.parametrize("workers", [1, 2])
def test_every_copy_is_indexed_with_its_own_id_date_and_the_entities_of_its_original(
    tmp_path: Path, workers: int
) -> None:
    records = _write_records(tmp_path / "in")
    summary = index_paths([tmp_path / "in"], tmp_path / "ix", workers=workers)
    assert summary.added == len(records) and summary.copies == len(records) - len(STORIES)
    found = _entities_by_id(tmp_path / "ix")
    assert set(found) == {r["id"] for r in records}
    for s in range(len(STORIES)):
        assert {found[f"story-{s}-{k}"] for k in range(COPIES)} == {found[f"story-{s}-0"]}
    assert "Maria Lopes" in found["story-0-0"][0] and "Lisbon" in found["story-0-0"][2]
    with open_for_reading(tmp_path / "ix").searcher() as searcher:
        ferry = [hit["id"] for hit in searcher.find("body", "ferry crossings", limit=None)]
        assert sorted(ferry) == sorted(f"story-0-{k}" for k in range(COPIES))
        dates = {f["id"]: f["date_text"] for f in searcher.all_stored_fields()}
    assert dates["story-1-39"] == "1999-03-02" and dates["story-2-0"] == "1960-03-03"
