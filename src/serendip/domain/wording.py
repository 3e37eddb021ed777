"""Small wording rules shared by every message: plurals."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` with the noun in the right number: "1 intro", "2 intros", "1 person", "3 people"."""
    word = singular if count == 1 else (plural_form or _IRREGULAR.get(singular, singular + "s"))
    return f"{count:,} {word}"


_IRREGULAR = {"person": "people", "reply": "replies", "is": "are", "was": "were"}
