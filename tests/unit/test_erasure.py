"""What forget-me finds in free text and JSON: the id anywhere, the e-mail, names as whole words."""

from __future__ import annotations

from serendip.domain.erasure import DELETED_USER, Identity, mentions, scrub

ADA = Identity("U0ADA00001", ("Ada Lovelace", "ada"), "ada@example.test")


def test_the_id_email_and_names_become_deleted_user_whatever_the_case() -> None:
    text = "Ask ADA LOVELACE (<@U0ADA00001>) or write to Ada@Example.test"
    assert scrub(text, ADA) == f"Ask {DELETED_USER} (<@{DELETED_USER}>) or write to {DELETED_USER}"


def test_a_name_inside_another_word_is_left_alone() -> None:
    assert scrub("Canada and adagio", ADA) == "Canada and adagio"


def test_the_full_name_goes_before_a_shorter_one_it_contains() -> None:
    assert scrub("Ada Lovelace says hi", ADA) == f"{DELETED_USER} says hi"


def test_json_keys_and_nested_values_are_scrubbed_and_numbers_kept() -> None:
    notes = {"sat_out": {"U0ADA00001": "no_partner"}, "who": ["ada", 3], "eligible": 13}
    assert scrub(notes, ADA) == {
        "sat_out": {DELETED_USER: "no_partner"},
        "who": [DELETED_USER, 3],
        "eligible": 13,
    }
    assert mentions(notes, ADA) and not mentions({"eligible": 13}, ADA)


def test_one_letter_names_are_not_searched_for() -> None:
    assert scrub("a b c", Identity("U1", ("A",), None)) == "a b c"
