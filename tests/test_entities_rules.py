"""Span mends, typing and in-article normalisation, one small fixture per rule."""

from __future__ import annotations

import pytest

from search.enrich.entities import chunker, extract_entities, extract_mentions
from search.enrich.entities.text import tokenize


def _values(title: str, body: str, dateline: str = "") -> dict[str, dict[str, tuple[str, ...]]]:
    d = extract_entities(title, body, dateline)
    return {"person": d.people, "organization": d.organizations, "place": d.places}


@pytest.mark.parametrize(
    ("body", "type_", "value"),
    [
        ("Midfielder Valentin Stefan scored twice for the visitors.", "person", "Valentin Stefan"),
        ("Deputy Prime Minister Dick Spring said on Monday that talks would resume.", "person", "Dick Spring"),
        ("Russian President Vladimir Putin spoke in Moscow.", "person", "Vladimir Putin"),
        ("House Speaker Jim Wright said the bill would pass.", "person", "Jim Wright"),
        ("External Affairs Minister S Jaishankar met his counterpart.", "person", "S Jaishankar"),
    ],
)
def test_titles_and_roles_are_stripped_and_short_names_completed(body, type_, value):
    values = _values("", body)
    assert value in values[type_]
    assert not any(v != value and value in v for v in values[type_])


def test_all_caps_headline_names_are_recased_and_typed():
    values = _values("MEXICO CITY QUAKE KILLS TEN", "An earthquake shook Mexico City on Monday, officials said.")
    assert "Mexico City" in values["place"]
    assert not values["person"] and not values["organization"]


def test_all_caps_dateline_is_a_place():
    values = _values("", "MEXICO CITY 1996-08-30\nPrices rose on Friday, traders said.")
    assert list(values["place"]) == ["Mexico City"]


def test_headline_words_not_in_the_article_are_not_names():
    values = _values("UPS PAYOUT CUT ON WEAK QTR", "The company said its quarterly payout was cut.")
    assert values == {"person": {}, "organization": {}, "place": {}}


def test_sentence_initial_capitals_are_not_entities():
    values = _values("", "Bomb explodes in Lima market. Dealers said prices fell in Lima.")
    assert values == {"person": {}, "organization": {}, "place": {"Lima": ()}}


def test_sports_results_table_lists_clubs_as_organisations():
    values = _values(
        "SOCCER - ENGLISH LEAGUE RESULTS", "Results on Saturday:\nLeeds 2 Chelsea 1\nMiddlesbrough 3 Southampton 0"
    )
    assert {"Leeds", "Chelsea", "Middlesbrough", "Southampton"} <= set(values["organization"])
    assert not values["place"] and not values["person"]


def test_acronym_maps_to_the_expansion_the_text_defines():
    values = _values("", "The Shanghai Cooperation Organisation (SCO) met in Astana. The SCO said it would expand.")
    assert values["organization"] == {"Shanghai Cooperation Organisation": ("SCO",)}


def test_short_form_maps_to_the_full_name_in_the_same_article():
    values = _values("", "Sergey Lavrov arrived in Goa on Thursday. Lavrov said the talks went well.")
    assert values["person"] == {"Sergey Lavrov": ("Lavrov",)}


def test_place_abbreviations_map_to_one_place():
    values = _values("", "The U.S. economy grew. Officials in the United States said USA exports rose.")
    assert values["place"] == {"United States": ("U.S.", "USA")}


def test_junk_words_never_become_values():
    values = _values("", "Advertisement\nOn Thursday, He said The talks were good.\nAlso read: nothing here.")
    assert values == {"person": {}, "organization": {}, "place": {}}


def test_securities_and_exchange_commission_is_one_organisation():
    values = _values("", "The company filed with the Securities and Exchange Commission on Monday.")
    assert list(values["organization"]) == ["Securities and Exchange Commission"]


def test_hyphenated_country_pair_gives_both_places():
    values = _values("", "The India-Russia relationship remains strong, officials said.")
    assert {"India", "Russia"} <= set(values["place"])


def test_mentions_carry_offsets_into_their_part():
    title, body = "Lavrov in Goa", "Sergey Lavrov met officials in New Delhi on Monday."
    for m in extract_mentions(title, body):
        text = title if m.part == "title" else body
        assert text[m.start : m.end] == m.text


def test_fast_tagger_and_chunker_give_nltks_output():
    tagger, ne_chunker = chunker.models()
    sentences = [
        "Russian Foreign Minister Sergey Lavrov met External Affairs Minister S Jaishankar in Goa .",
        "Showers continued throughout the week in the Bahia cocoa zone , Comissaria Smith said .",
        "Leeds 2 Chelsea 1 , the Football Association said on Saturday .",
    ]
    for s in sentences:
        words = [t.text for t in tokenize(s)]
        assert tagger.tag(words) == tagger._nltk.tag(words)
        tagged = tagger.tag(words)
        assert ne_chunker.iob(tagged) == [label for _, label in ne_chunker._nltk._tagger.tag(tagged)]


def test_values_never_hold_a_comma_the_facet_fields_split_on():
    values = _values("", "Underwriters are led by Goldman, Sachs and Co, the firm said in Dallas, Tex.")
    assert "Goldman Sachs and Co" in values["organization"]
    assert "Texas" in values["place"]
    assert not any("," in v or any("," in a for a in al) for vals in values.values() for v, al in vals.items())


@pytest.mark.parametrize(
    ("body", "type_", "value"),
    [
        ("Dutch defender Ronald de Boer was injured, the club said.", "person", "Ronald de Boer"),
        ("Shares of First Bank System Inc. rose on Monday.", "organization", "First Bank System Inc."),
        ("Boston-based Reagan Communications said profits rose.", "organization", "Reagan Communications"),
    ],
)
def test_name_particles_org_prefixes_and_hyphenated_modifiers(body, type_, value):
    assert value in _values("", body)[type_]


def test_bare_institution_beside_its_country_prefixed_form_is_one_value():
    values = _values(
        "",
        "The U.S. Senate voted on Tuesday. The Senate bill now goes to the House. "
        "The U.S. Agriculture Department said the Agriculture Department would comment.",
    )
    assert "U.S. Senate" in values["organization"] and "Senate" not in values["organization"]
    assert "U.S. Agriculture Department" in values["organization"]
    assert "Agriculture Department" not in values["organization"]


@pytest.mark.parametrize(
    "body",
    [
        "The offering is led by Alex. Brown and Sons Inc and Morgan Stanley and Co.",
        "Alex. Brown and Sons Inc said it has acquired a stake in Acme Corp.",
        "Underwriters are led by Alex, Brown and Sons Inc, the company said.",
    ],
)
def test_abbreviated_first_word_joins_the_company_name_and_is_no_person(body):
    values = _values("", body)
    assert any(v.startswith(("Alex. Brown and Sons", "Alex Brown and Sons")) for v in values["organization"])
    assert not any("Alex" in v for v in values["person"])


def test_abbreviated_name_found_beside_a_company_marker_holds_for_the_whole_article():
    values = _values(
        "ALEX. BROWN SETS SPLIT",
        "Alex. Brown and Sons Inc is the lead underwriter. An analyst at Alex. Brown said demand was strong.",
    )
    assert values["organization"]["Alex. Brown and Sons Inc"] == ("Alex. Brown",)
    assert values["person"] == {}


def test_lone_given_name_beside_an_organisation_it_abbreviates_is_that_organisation():
    values = _values("", "Underwriters are Alex. Brown and Sons. Alex said it would price the shares on Monday.")
    assert values["organization"] == {"Alex. Brown and Sons": ("Alex",)}
    assert values["person"] == {}


@pytest.mark.parametrize(
    ("body", "organization"),
    [
        ("Shares were sold to Ford. Acme Inc said it would buy them.", "Acme Inc"),
        ("The bank moved to Texas. Smith Inc said it would follow.", "Smith Inc"),
        ("The deal was led by Morgan Stanley. Brown Inc said it agreed.", "Brown Inc"),
    ],
)
def test_period_after_a_name_or_place_still_ends_the_sentence(body, organization):
    values = _values("", body)
    assert organization in values["organization"]
    assert not any(". " in v for vals in values.values() for v in vals)


def test_firm_named_after_two_founders_is_one_organisation_not_two_people():
    values = _values(
        "",
        "The partnership is controlled by privately-held Wagner and Brown and by AFG Industries Inc. "
        "Last fall, AFG and Wagner and Brown offered to buy the company.",
    )
    assert "Wagner and Brown" in values["organization"]
    assert any(v.startswith("AFG Industries Inc") for v in values["organization"])
    assert values["person"] == {}


def test_two_people_named_together_stay_two_people():
    values = _values("", "Soviet leader Gorbachev and Shultz met on Monday. Later Gorbachev and Shultz agreed.")
    assert {"Gorbachev", "Shultz"} <= set(values["person"])
    assert not any(" and " in v for v in values["organization"])


def test_name_before_and_does_not_swallow_a_company_led_by_an_acronym():
    values = _values("", "The offer came from affiliates of Brown and AFG Industries Inc, the company said.")
    assert "AFG Industries Inc" in values["organization"]
    assert not any(v.startswith("Brown and") for vals in values.values() for v in vals)


@pytest.mark.parametrize(
    ("title", "body", "place"),
    [
        ("S.KOREA TO BUY MORE COTTON", "The country will buy more cotton, officials said.", "South Korea"),
        ("LOOPHOLE FOR TANKERS IN NORWAY'S S. AFRICA BAN", "Norway banned oil shipments.", "South Africa"),
        ("", "Exports to N. Korea fell, the ministry said.", "North Korea"),
    ],
)
def test_compass_initial_before_a_place_is_that_place_not_a_person(title, body, place):
    values = _values(title, body)
    assert place in values["place"]
    assert values["person"] == {}


@pytest.mark.parametrize(
    ("body", "type_", "value"),
    [
        (
            "Loans from Banco do Brasil rose. Banco do Brasil said it would lend more.",
            "organization",
            "Banco do Brasil",
        ),
        ("Comex copper futures rose on Monday, traders said.", "organization", "Comex"),
        ("Talks will go on, U.S. Officials said.", "place", "United States"),
    ],
)
def test_bank_names_with_particles_exchanges_and_groups_of_officials(body, type_, value):
    values = _values("", body)
    assert value in values[type_]
    assert values["person"] == {}


def test_holidays_are_not_people():
    assert _values("", "Markets were closed for Easter and will reopen after Christmas, dealers said.") == {
        "person": {},
        "organization": {},
        "place": {},
    }


@pytest.mark.parametrize(
    ("body", "firm"),
    [  # one name twice over, and founders named once beside another company
        ("Johnson and Johnson said the Food and Drug Administration approved the drug.", "Johnson and Johnson"),
        ("It sold the business to Johnson and Johnson for 260 mln dlrs.", "Johnson and Johnson"),
        ("The partnership is owned by Wagner and Brown and AFG Industries Inc, the company said.", "Wagner and Brown"),
        ("A partnership of AFG and Wagner and Brown made a tender offer on Monday.", "Wagner and Brown"),
    ],
)
def test_a_firm_named_for_its_founders_is_one_organisation_not_people(body, firm):
    values = _values("", body)
    assert firm in values["organization"]
    assert values["person"] == {}
