"""Near-duplicate clusters stay right when one story is repeated far more often than a band key remembers."""

from __future__ import annotations

import numpy as np

from search.enrich.duplicates import BAND_ROWS_MAX, Clusters, signature

STORY = (
    "The harbour council met on Tuesday to discuss the new ferry timetable for the northern islands. Members "
    "agreed to add two crossings on weekdays and one on Sundays from the first of May, and asked the operator "
    "to publish the fares a month ahead so that families and traders can plan their journeys."
)
OTHER = (
    "Wheat prices rose sharply in Chicago after a dry spell in the southern plains cut the outlook for the "
    "winter crop, while soybeans eased on news of heavy rain in Brazil and a slower pace of exports."
)


def test_a_story_repeated_past_the_band_cap_keeps_one_cluster_and_edited_versions_still_join_it() -> None:
    clusters = Clusters()
    copies = [clusters.assign(signature(STORY), f"copy-{n}") for n in range(3 * BAND_ROWS_MAX)]
    assert set(copies) == {"copy-0"}
    edited = STORY.replace("two crossings", "three crossings").replace("a month ahead", "six weeks ahead")
    assert clusters.assign(signature(edited), "edited") == "copy-0"
    assert clusters.assign(signature(OTHER), "other") == "other"
    assert clusters.assign(signature(OTHER + " Analysts expect more swings."), "other-2") == "other"


def test_near_duplicates_are_found_across_many_unrelated_articles_sharing_band_keys_by_chance() -> None:
    """Thousands of unrelated signatures fill the band table's chains; a reprint still joins its story."""
    rng = np.random.default_rng(3)
    clusters = Clusters()
    assert clusters.assign(signature(STORY), "story") == "story"
    for n, sig in enumerate(rng.integers(0, 256, (20_000, 128), dtype=np.uint8)):
        assert clusters.assign(sig.tobytes(), f"noise-{n}") == f"noise-{n}"
    edited = STORY.replace("two crossings", "three crossings")
    assert clusters.assign(signature(edited), "edited") == "story"
    assert clusters.assign(b"", "empty") == "empty"
