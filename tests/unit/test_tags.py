"""Tag normalisation, splitting and fuzzy look-up."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from serendip.domain.tags import (
    ALIASES,
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_KIND,
    fuzzy_match,
    normalise_tag,
    split_tags,
)

_WORDS = [
    "api",
    "apis",
    "database",
    "databases",
    "kubernetes",
    "k8s",
    "sales",
    "analytics",
    "ios",
    "c++",
    "c#",
    ".net",
    "node.js",
    "ci/cd",
    "ml",
    "py",
    "libraries",
    "caches",
    "boxes",
    "ß",
    "ﬁ",
    "Ⅻ",
    "İ",
    "ǅ",
    "\u0301",
    "\u200f",
    "\u200d",
    "🚀",
    "\x00",
    "\t",
    "ｋ８ｓ",
    "_",
    "-",
    "/",
]
tag_like = st.lists(
    st.one_of(st.sampled_from(_WORDS), st.text(alphabet="abcsiye.+#/ -,!()", max_size=6)),
    max_size=6,
).map("".join)
any_text = st.one_of(st.text(), tag_like)


@given(any_text)
@example("apiss")
@example("ß" * 30)
@example("e\x00\u0301")
def test_normalising_is_idempotent(raw: str) -> None:
    once = normalise_tag(raw)
    if once is not None:
        assert normalise_tag(once) == once


@given(any_text)
def test_a_normalised_tag_is_short_trimmed_and_lowercase(raw: str) -> None:
    tag = normalise_tag(raw)
    if tag is not None:
        assert 0 < len(tag) <= MAX_TAG_LENGTH
        assert tag == tag.strip()
        assert "  " not in tag
        assert tag == tag.casefold()


@given(any_text)
def test_normalising_ignores_case(raw: str) -> None:
    assert normalise_tag(raw.upper()) == normalise_tag(raw.lower()) == normalise_tag(raw.casefold())


@given(st.text(max_size=3000))
def test_splitting_never_raises_and_yields_distinct_normalised_tags(text: str) -> None:
    tags = split_tags(text)
    assert len(tags) == len(set(tags))
    assert all(normalise_tag(tag) == tag for tag in tags)


@given(any_text, st.lists(any_text, max_size=5))
def test_fuzzy_matching_never_raises_and_ranks_best_first(query: str, tags: list[str]) -> None:
    scores = [score for _, score in fuzzy_match(query, tags)]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_limits_are_those_of_the_spec() -> None:
    assert (MAX_TAG_LENGTH, MAX_TAGS_PER_KIND) == (40, 15)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("k8s", "kubernetes"),
        ("JS", "javascript"),
        ("ts", "typescript"),
        ("py", "python"),
        ("ML", "machine learning"),
        ("AI", "ai"),
        ("golang", "go"),
        ("Postgres", "postgresql"),
        ("pg", "postgresql"),
        ("UX design", "ux"),
        ("(ml)", "machine learning"),
    ],
)
def test_aliases_map_to_one_canonical_spelling(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


def test_every_alias_target_is_already_canonical() -> None:
    for target in ALIASES.values():
        assert normalise_tag(target) == target


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("APIs", "api"),
        ("databases", "database"),
        ("libraries", "library"),
        ("processes", "process"),
        ("boxes", "box"),
        ("caches", "cache"),
        ("approaches", "approach"),
        ("code reviews", "code review"),
        ("kpis", "kpi"),
    ],
)
def test_plain_english_plurals_fold_to_the_singular(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


@pytest.mark.parametrize(
    "word",
    [
        "kubernetes",
        "analytics",
        "sales",
        "business",
        "css",
        "aws",
        "ios",
        "ops",
        "devops",
        "status",
        "analysis",
        "pandas",
        "redis",
        "news",
        "saas",
        "bias",
    ],
)
def test_words_that_only_look_plural_are_kept(word: str) -> None:
    assert normalise_tag(word) == word


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C++", "c++"),
        ("c#,", "c#"),
        (".NET", ".net"),
        ("Node.js.", "node.js"),
        ("CI / CD", "ci/cd"),
        ("  Machine \t  Learning ", "machine learning"),
        ("#rust!", "rust"),
        ('"Design systems"', "design system"),
        ("ＡＰＩｓ", "api"),
        ("\u200fapis\u200e", "api"),
        ("snake_case", "snake case"),
    ],
)
def test_punctuation_is_stripped_at_the_edges_but_kept_inside(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "--", "🚀", "\x00\u200d", "x" * 41])
def test_empty_punctuation_only_and_overlong_tags_are_rejected(raw: str) -> None:
    assert normalise_tag(raw) is None


def test_a_tag_of_exactly_forty_characters_is_kept() -> None:
    assert normalise_tag("x" * 40) == "x" * 40


def test_splitting_normalises_dedupes_and_keeps_order() -> None:
    assert split_tags("Python, py, k8s,, Kubernetes ; Go，golang, !!") == ["python", "kubernetes", "go"]


def test_splitting_blank_input_gives_no_tags() -> None:
    assert split_tags("  , ,") == []


def test_fuzzy_matching_finds_kubernetes_from_a_prefix() -> None:
    assert fuzzy_match("kube", ["python", "kubernetes", "cuba"])[0][0] == "kubernetes"


def test_fuzzy_matching_ranks_an_exact_match_first() -> None:
    assert fuzzy_match("k8s", ["kubeflow", "kubernetes"])[0] == ("kubernetes", 1.0)


def test_fuzzy_matching_tolerates_typos() -> None:
    assert [tag for tag, _ in fuzzy_match("postgress", ["mysql", "postgresql"])] == ["postgresql"]


def test_fuzzy_matching_a_blank_query_finds_nothing() -> None:
    assert fuzzy_match("  !", ["go"]) == []


def test_fuzzy_matching_honours_the_limit() -> None:
    assert len(fuzzy_match("data", ["data", "database", "data science"], limit=2)) == 2
