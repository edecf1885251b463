"""Make the sample archive's paged files from fictional text: a two-page PDF, a scanned notice (PNG) and a
newspaper page as ALTO XML with its METS. The outputs are committed in samples/; run this again to remake them.

Run: .venv/bin/python -m bench.make_samples
"""

from __future__ import annotations

import datetime as dt

from bench.pages import PageStyle, alto_xml, image_bytes, mets_xml, render_page, text_pdf
from bench.report import REPO

SAMPLES = REPO / "samples"

MINUTES = [
    "Port board minutes: dredging of the northern channel\n\n"
    "(Sample Gazette) The port board of Porto Sereno met on Tuesday to hear the pilots' association, whose "
    "members say the northern channel has silted up since the winter storms. Captain Ilda Ferraz, who speaks for "
    "the pilots, told the board that laden ships now wait for the high tide before they can reach the fish quay.\n\n"
    "The board's engineer, Rui Valadares, presented soundings taken in March. They show the channel a metre "
    "shallower than the depth the port publishes in its notices to mariners.",
    "The board voted to dredge the northern channel in the spring, before the sardine season, and to ask the "
    "fisheries fund for a share of the cost.\n\n"
    "Any other business: the lighthouse keepers asked for a new boat to reach the breakwater light in bad weather. "
    "The board will visit the breakwater in May.",
]

NOTICE = (
    "FERRY TIMETABLE NOTICE\n\n"
    "From Monday 3 June the winter ferry timetable ends. Ferries to Ilha Pequena leave the fish quay every hour "
    "from seven in the morning until nine at night.\n\n"
    "Tickets are sold at the port office. Bicycles travel free. The port board thanks passengers for their "
    "patience during the dredging of the northern channel."
)

GAZETTE_PAGE = [
    "Regatta returns to the estuary",
    "(Sample Gazette) Forty boats crossed the starting line off the fish quay on Saturday as the summer regatta "
    "returned to the estuary after two years of repairs to the breakwater. The port captain, Joana Prates, "
    "started the race with the old signal cannon.",
    "Sailmakers open their loft to visitors",
    "The sailmakers of the estuary will open their loft to visitors on Sunday, showing how the regatta's "
    "canvas sails are cut and stitched by hand.",
]


def main() -> None:
    (SAMPLES / "13_port_board_minutes.pdf").write_bytes(
        text_pdf(
            MINUTES,
            title="Port board minutes: dredging of the northern channel",
            author="Ines Cardoso",
            created=dt.datetime(2024, 4, 2, 18, 0, tzinfo=dt.UTC),
        )
    )
    scan = render_page(NOTICE, PageStyle("serif", 12, 200, noise=0.01, skew=0.7), seed=14, width_in=6.0)
    (SAMPLES / "14_ferry_notice.png").write_bytes(image_bytes(scan.convert("1", dither=None)))
    issue = SAMPLES / "15_gazette_1999-06-02"
    (issue / "alto").mkdir(parents=True, exist_ok=True)
    (issue / "alto" / "0001.xml").write_bytes(alto_xml([GAZETTE_PAGE], line_chars=48))
    (issue / "issue_mets.xml").write_bytes(mets_xml("Sample Gazette", "1999-06-02", ["alto/0001.xml"]))


if __name__ == "__main__":
    main()
