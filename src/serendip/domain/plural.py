"""Counting words: "1 intro", "2 intros", "1 person", "2 people"."""

from __future__ import annotations

IRREGULAR = {"person": "people"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with the word in the right number ("1 second", "3 seconds", "2 people")."""
    if count == 1:
        return f"{count} {singular}"
    if plural_form is None:
        head, _, last = singular.rpartition(" ")
        plural_form = (f"{head} " if head else "") + IRREGULAR.get(last, f"{last}s")
    return f"{count} {plural_form}"
