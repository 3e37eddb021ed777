"""Department identity: one key decides sameness; blank is no department."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from serendip.domain.departments import department_display, department_key, same_team
from serendip.domain.people_csv import parse_people_csv

# Whitespace the key must ignore at the edges and collapse inside (ASCII and Unicode spaces).
SPACES = st.text(alphabet=" \t\n\u00a0\u2003\u3000", max_size=4)
NAMES = st.text(max_size=30)
WORDS = st.lists(
    st.text(alphabet=st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=8),
    min_size=1,
    max_size=4,
)


@given(NAMES)
def test_the_key_is_idempotent(name: str) -> None:
    key = department_key(name)
    assert key is None or department_key(key) == key


@given(NAMES)
def test_the_key_ignores_case(name: str) -> None:
    assert department_key(name.casefold()) == department_key(name)
    # Default case folding keeps Turkish dotless i apart from "I" (which folds to "i"): the one exception.
    assume("\u0131" not in name)
    assert department_key(name.upper()) == department_key(name.lower()) == department_key(name)


@given(NAMES, SPACES, SPACES)
def test_the_key_ignores_outer_whitespace(name: str, before: str, after: str) -> None:
    assert department_key(before + name + after) == department_key(name)


@given(WORDS, st.lists(SPACES.filter(bool), min_size=3, max_size=3))
def test_the_key_collapses_inner_whitespace(words: list[str], gaps: list[str]) -> None:
    spaced = "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words))
    assert department_key(spaced) == department_key(" ".join(words))


@given(NAMES, st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
def test_the_key_is_the_same_for_every_compatible_unicode_form(name: str, form: str) -> None:
    assert department_key(unicodedata.normalize(form, name)) == department_key(name)


@given(NAMES)
def test_the_shown_form_has_the_same_key_as_what_was_typed(name: str) -> None:
    assert department_key(department_display(name)) == department_key(name)


@pytest.mark.parametrize("name", [None, "", " ", "\t\n", "\u00a0\u3000"])
def test_a_blank_name_is_no_department(name: str | None) -> None:
    assert department_key(name) is None and department_display(name) is None
    assert not same_team(name, name)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sales", " sales"),
        ("Sales", "SALES  "),
        ("Sales  Ops", "sales ops"),
        ("ＳＡＬＥＳ", "sales"),
        ("Straße", "STRASSE"),
    ],
)
def test_spellings_of_one_department_are_one_team(a: str, b: str) -> None:
    assert department_key(a) == department_key(b) and same_team(a, b)


def test_different_departments_and_unknown_ones_are_not_one_team() -> None:
    assert not same_team("Sales", "Marketing")
    assert not same_team("Sales", None)


def test_the_shown_form_keeps_case_and_collapses_spacing() -> None:
    assert department_display("  Sales   Ops ") == "Sales Ops"


def test_the_people_csv_gives_departments_in_their_shown_form_and_blank_as_none() -> None:
    text = 'id,department\nU1,  Sales   Ops \nU2," "\nU3,\n'
    rows = parse_people_csv(text, path="hr.csv", at=datetime(2030, 1, 1, tzinfo=UTC)).rows
    assert [r.department for r in rows] == ["Sales Ops", None, None]
