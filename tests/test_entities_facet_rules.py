"""Facet values an archivist can trust: the rules against junk values and variants left apart (issue 16).

Each case is a sentence written for the test, shaped like wire copy: a title glued to a name, a ticker, a
commodity, a month range, a firm's name split at its commas, an organisation and its board.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.enrich.entities import extract_entities
from search.enrich.entities.map import EntityMap


def _values(title: str, body: str) -> dict[str, dict[str, tuple[str, ...]]]:
    d = extract_entities(title, body)
    return {"person": d.people, "organization": d.organizations, "place": d.places}


def _all(values: dict[str, dict[str, tuple[str, ...]]]) -> set[str]:
    return {v for by_type in values.values() for v in by_type}


@pytest.mark.parametrize(
    ("body", "type_", "value", "absent"),
    [
        # A minister's portfolio after "Minister of" is not part of the name.
        ("The Minister of Mines and Energy Subroto said output would hold.", "person", "Subroto", "Energy Subroto"),
        ("The Chancellor of the Exchequer Nigel Lawson spoke on Tuesday.", "person", "Nigel Lawson", "Exchequer"),
        # A title that stood after a country leaves no organisation behind.
        (
            "Officials at the U.S. Trade Representative office said talks went on.",
            "place",
            "United States",
            "U.S. Trade",
        ),
        # A first name keeps a surname that looks like a title or a compass word.
        ("Shoppers' spokesman Peter Baron said the talks failed.", "person", "Peter Baron", "Peter"),
        ("The aide Oliver North was dismissed in November.", "person", "Oliver North", "Oliver"),
        # Particles of Arabic names go on with the name.
        (
            "Oil Minister Sheikh Ali al-Khalifa al-Sabah said output would fall.",
            "person",
            "Ali al-Khalifa al-Sabah",
            "Ali",
        ),
        # A company's name before its ticker is a company; the ticker is no value.
        ("Harbor Lightworks <HLW.N> said its profit rose.", "organization", "Harbor Lightworks", "HLW"),
        ("Citicorp <CCI.N> and Chase Manhattan Corp <CMB.N> will lend.", "organization", "Citicorp", "CCI"),
        # Organisation names with "for" and a final "and ...".
        (
            "The Organisation for Economic Cooperation and Development cut its forecast.",
            "organization",
            "Organisation for Economic Cooperation and Development",
            "Economic Cooperation",
        ),
        (
            "The Ministry of International Trade and Industry asked for restraint.",
            "organization",
            "Ministry of International Trade and Industry",
            "International Trade",
        ),
        # "Board of Trade" is whole even though "trade" qualifies titles elsewhere.
        (
            "Wheat at the Chicago Board of Trade firmed in quiet trade.",
            "organization",
            "Chicago Board of Trade",
            "Chicago Board",
        ),
        # Partners of a firm after "et" or "und".
        ("The bonds were led by Lazard Freres et Cie of Paris.", "organization", "Lazard Freres et Cie", "Cie"),
        # Partners' names a firm lists before its legal form are one firm.
        (
            "The notes were sold through Hollis, Brandt and Quenby Securities Corp, it said.",
            "organization",
            "Hollis Brandt and Quenby Securities Corp",
            "Hollis",
        ),
        # A place's short name is the place, whatever the sentence says of it.
        ("The UK said on Monday it would press for lower tariffs.", "place", "United Kingdom", "UK"),
        # A place and an ordinary word: the place alone.
        ("Exporters said the U.S. Has been slow to act, dealers in Tokyo said.", "place", "United States", "U.S. Has"),
    ],
)
def test_rules_keep_the_entity_and_drop_the_glued_words(body, type_, value, absent):
    values = _values("", body)
    assert value in values[type_]
    assert absent not in _all(values)


@pytest.mark.parametrize(
    "body",
    [
        "Senator Robert Dole (R-Kan.) and Representative Jim Wright (D-Tex.) met on Monday.",  # party and state
        "Cargoes for Oct/Dec. rose, the October-September season ended, and work resumes on Jan. 5.",  # months
        "The bank sold certificates of deposit (CDs) and special drawing rights (SDRs) to investors.",
        "Eurodollar futures rose while Robusta coffee and Brent crude fell in late trade.",  # commodities
        "Traders said Countertrade deals and the EC Eurobond calendar were thin this week.",
        "Saudi Arabian output fell while Yugoslav officials watched the market.",  # demonyms
    ],
)
def test_tags_months_instruments_commodities_and_demonyms_are_no_values(body):
    values = _values("", body)
    junk = {"R-Kan", "D-Tex", "Oct", "Dec.", "Jan.", "October-September", "CDs", "SDRs", "Eurodollar", "Robusta"}
    junk |= {"Brent", "Countertrade", "EC Eurobond", "Eurobond", "Arabian", "Yugoslav", "Saudi Arabian"}
    assert not (_all(values) & junk)


def test_a_name_before_accord_names_the_event_not_an_entity():
    values = _values("", "Since the Lanterne accord of February, dealers in Paris have held the dollar steady.")
    assert "Lanterne" not in _all(values)
    assert "Paris" in values["place"]


def test_a_headline_verb_that_is_also_a_given_name_is_not_a_person():
    values = _values("PRICES ROSE IN MARCH, SURVEY SAYS", "Shop prices rose 0.4 pct in March, the survey said.")
    assert "Rose" not in values["person"]


def test_a_gazetteer_town_that_is_an_ordinary_word_needs_place_context():
    assert "High" not in _values("", "The group said High rates would curb lending this year.")["place"]


# ----------------------------------------------------------------------------------------- archive merges
def _map(tmp_path: Path, counts: dict[tuple[str, str], int]) -> EntityMap:
    return EntityMap.rebuild(tmp_path, counts, {})


def test_initials_before_the_given_name_join_the_name_without_them(tmp_path):
    m = _map(tmp_path, {("person", "E Gerald Corrigan"): 5, ("person", "Gerald Corrigan"): 3})
    assert m.canonical("person", "Gerald Corrigan") == m.canonical("person", "E Gerald Corrigan")


def test_an_organisation_and_its_board_are_one_value(tmp_path):
    m = _map(
        tmp_path,
        {("organization", "Federal Reserve"): 9, ("organization", "Federal Reserve Board"): 4},
    )
    assert m.canonical("organization", "Federal Reserve Board") == "Federal Reserve"


def test_a_lone_word_of_one_firms_name_joins_that_firm(tmp_path):
    m = _map(tmp_path, {("person", "Peabody"): 3, ("organization", "Kidder Peabody and Co Inc"): 20})
    assert m.canonical("person", "Peabody") == "Kidder Peabody and Co Inc"
    assert m.type_of("person", "Peabody") == "organization"


def test_a_lone_word_of_several_firms_names_is_hidden_and_stays_hidden_on_reload(tmp_path):
    counts = {
        ("person", "Bell"): 3,
        ("organization", "Bell Atlantic Corp"): 5,
        ("organization", "Southwestern Bell Corp"): 5,
    }
    assert _map(tmp_path, counts).canonical("person", "Bell") is None
    assert EntityMap.load(tmp_path).canonical("person", "Bell") is None
    assert EntityMap.load(tmp_path).canonical("organization", "Bell Atlantic Corp") == "Bell Atlantic Corp"


def test_a_lone_surname_written_first_joins_its_full_name(tmp_path):
    m = _map(tmp_path, {("person", "Zhao Ziyang"): 10, ("person", "Zhao"): 4})
    assert m.canonical("person", "Zhao") == "Zhao Ziyang"


def test_a_lone_given_name_does_not_join_a_full_name_it_begins(tmp_path):
    m = _map(tmp_path, {("person", "Peter Baron"): 10, ("person", "Peter"): 4})
    assert m.canonical("person", "Peter") == "Peter"


def test_co_operation_and_cooperation_spell_one_organisation(tmp_path):
    m = _map(
        tmp_path,
        {("organization", "OECD"): 5, ("organization", "Organisation for Economic Cooperation and Development"): 6},
    )
    assert m.canonical("organization", "OECD") == "Organisation for Economic Cooperation and Development"


def test_codes_in_a_rates_table_are_no_values():
    values = _values("", "Cross rates at midday:\nDMK 1.8195/8205  SFR 1.5130/40  DFL 2.0540/50  YEN 145.10/20\n")
    assert not _all(values)


def test_the_acronym_of_a_programme_names_no_entity():
    body = "Wheat was offered under the Grain Bonus Program (GBP), officials said. More GBP sales are due."
    assert not ({"GBP", "Grain Bonus Program"} & _all(_values("", body)))


def test_an_event_with_a_numeral_is_no_person():
    values = _values("", "Veterans of World War II met in Paris on Sunday.")
    assert "World War II" not in _all(values)
    assert "Paris" in values["place"]
