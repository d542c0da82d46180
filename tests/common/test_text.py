from hypothesis import given
from hypothesis import strategies as st

from latticesim.common.text import a_or_an, and_join, closest, suggest

ACTORS = ["France", "Germany", "United States", "Japan"]


def test_closest_prefers_the_same_name_in_another_case():
    assert closest("france", ACTORS) == "France"
    assert closest("  JAPAN ", ACTORS) == "Japan"


def test_closest_finds_a_misspelt_name_and_nothing_for_a_stranger():
    assert closest("Germny", ACTORS) == "Germany"
    assert closest("Zanzibar", ACTORS) is None
    assert closest(3, ACTORS) is None


def test_suggest_says_did_you_mean_only_when_the_name_differs():
    assert suggest("Frnace", ACTORS) == "; did you mean 'France'?"
    assert suggest("France", ACTORS) == ""
    assert suggest("Zanzibar", ACTORS) == ""


def test_suggest_uses_aliases_no_spelling_distance_finds():
    assert suggest("USA", ACTORS, aliases={"usa": "United States"}) == (
        "; did you mean 'United States'?"
    )


def test_articles_and_lists_read_as_english():
    assert a_or_an("integer") == "an integer"
    assert a_or_an("list") == "a list"
    assert and_join([]) == ""
    assert and_join(["France"]) == "France"
    assert and_join(["France", "Japan"]) == "France and Japan"
    assert and_join(["France", "Germany", "Japan"]) == "France, Germany and Japan"


@given(st.lists(st.text(alphabet="abc", min_size=1, max_size=4), min_size=2, max_size=6))
def test_and_join_keeps_every_word_in_order(words):
    text = and_join(words)
    assert text.endswith(f" and {words[-1]}")
    pos = 0
    for w in words:
        pos = text.index(w, pos) + len(w)
