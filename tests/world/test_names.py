from latticesim.world.actors import actor_names
from latticesim.world.names import (
    DIMENSION_LABELS,
    DIMENSION_WORDS,
    DISPLAY_NAMES,
    IP4,
    SHORT_NAMES,
    dimension_label,
    dimension_words,
    display_name,
    join_names,
    short_name,
)


def test_every_named_actor_is_a_packaged_actor():
    known = set(actor_names())
    assert set(IP4) <= known
    assert set(DISPLAY_NAMES) <= known
    assert set(SHORT_NAMES) <= known


def test_names_in_sentences_and_on_figures():
    assert display_name("United States") == "the United States"
    assert display_name("France") == "France"
    assert join_names(["France", "United States"]) == "France and the United States"
    assert short_name("South Korea") == "ROK"
    assert short_name("Japan") == "Japan"


def test_every_default_dimension_has_a_label_and_words():
    assert set(DIMENSION_LABELS) == set(DIMENSION_WORDS)
    assert dimension_label("china_stance") == "China stance"
    assert dimension_words("ukraine_support") == "support for Ukraine"


def test_a_scenario_dimension_reads_as_its_words():
    assert dimension_label("arctic_presence") == "Arctic presence"
    assert dimension_words("arctic_presence") == "arctic presence"
