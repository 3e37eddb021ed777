"""Expertise and interest tags: one canonical spelling per topic, and fuzzy look-up among them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

MAX_TAG_LENGTH = 40
MAX_TAGS_PER_KIND = 15

# Characters that may end a tag ("c++", "c#"); any other trailing punctuation is dropped.
_KEEP_TRAILING = frozenset("+#")
# Separators between tags in user input (after NFKC, which folds full-width forms to these),
# plus the Arabic and ideographic commas, which NFKC leaves alone.
TAG_SEPARATORS = re.compile(r"[,;\n\u060c\u3001]")
_SPACES_AROUND_SLASH = re.compile(r"\s*/\s*")

ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "ml": "machine learning",
    "dl": "deep learning",
    "golang": "go",
    "postgres": "postgresql",
    "pg": "postgresql",
    "psql": "postgresql",
    "mongo": "mongodb",
    "ux design": "ux",
    "user experience": "ux",
    "user experience design": "ux",
    "ui design": "ui",
    "nodejs": "node.js",
    "node": "node.js",
    "reactjs": "react",
    "react.js": "react",
    "vuejs": "vue",
    "vue.js": "vue",
    "cpp": "c++",
    "csharp": "c#",
    "c sharp": "c#",
    "dotnet": ".net",
    "cicd": "ci/cd",
    "ci-cd": "ci/cd",
    "ci cd": "ci/cd",
    "amazon web services": "aws",
    "google cloud platform": "gcp",
    "google cloud": "gcp",
    "artificial intelligence": "ai",
    "large language model": "llm",
    "natural language processing": "nlp",
    "site reliability engineering": "sre",
    "rustlang": "rust",
    "rust lang": "rust",
}

# Words that end in "s" but are not plurals, or whose plural the simple rules would fold wrongly.
_NOT_PLURAL = frozenset(
    {
        "kubernetes",
        "analytics",
        "sales",
        "business",
        "css",
        "aws",
        "ios",
        "ops",
        "news",
        "rails",
        "jenkins",
        "series",
        "species",
        "pandas",
        "keras",
        "redis",
        "tennis",
        "iris",
        "travis",
        "windows",
        "teams",
        "https",
        "hermes",
        "always",
        "perhaps",
        "various",
        "diabetes",
        "canvas",
        "atlas",
        "texas",
        "vegas",
        "christmas",
        "devops",
        "devsecops",
        "mlops",
        "gitops",
        "finops",
        "secops",
        "dataops",
        "aiops",
        "bizops",
        "revops",
        "noops",
        "llmops",
    }
)
_IRREGULAR_PLURALS: dict[str, str] = {
    "niches": "niche",
    "movies": "movie",
    "cookies": "cookie",
    "selfies": "selfie",
    "zombies": "zombie",
    "rookies": "rookie",
    "hoodies": "hoodie",
    "smoothies": "smoothie",
    "calories": "calorie",
    "heroes": "hero",
    "analyses": "analysis",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
}
# Latin and Greek singulars ("status", "analysis", "axis", "bias"), "-aas" acronyms and "-ics" fields.
_NEVER_FOLDED_ENDINGS = ("ss", "us", "sis", "xis", "os", "ias", "aas", "ics")
_ES_ENDINGS = ("sses", "xes", "zzes", "ches", "shes")
# "caches", "headaches" keep their "e"; "approaches", "beaches" do not.
_ACHE_ENDING, _ACH_ENDINGS = "aches", ("oaches", "eaches")
_MIN_STEM = 3


def normalise_tag(raw: str) -> str | None:
    """Return the canonical spelling of one tag, or None when nothing meaningful or too long."""
    current = raw
    # Casefolding, NFKC and edge-stripping do not commute; a few passes reach the fixed point.
    for _ in range(4):
        result = _normalise_once(current)
        if result is None:
            return None
        if result == current:
            break
        current = result
    return current if len(current) <= MAX_TAG_LENGTH else None


def split_tags(text: str) -> list[str]:
    """Split comma-separated user input into normalised, de-duplicated tags, in order of entry."""
    seen: dict[str, None] = {}
    for piece in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        tag = normalise_tag(piece)
        if tag is not None:
            seen.setdefault(tag, None)
    return list(seen)


def fuzzy_match(
    query: str, tags: Iterable[str], *, cutoff: float = 0.55, limit: int | None = None
) -> list[tuple[str, float]]:
    """Rank tags against a query, best first, scores in (0, 1]; "kube" finds "kubernetes"."""
    needle = normalise_tag(query) or ""
    raw_needle = _clean(query)
    if not needle:
        return []
    scored: dict[str, float] = {}
    for tag in tags:
        candidate = normalise_tag(tag)
        if candidate is None:
            continue
        score = max(_similarity(needle, candidate), _similarity(raw_needle, candidate))
        if score >= cutoff and score > scored.get(tag, 0.0):
            scored[tag] = score
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return ranked if limit is None else ranked[:limit]


def _normalise_once(raw: str) -> str | None:
    """One pass of cleaning, edge stripping, alias and plural folding."""
    text = _strip_edges(_clean(raw))
    if not text:
        return None
    text = ALIASES.get(text, text)
    text = _fold_plural(text)
    return ALIASES.get(text, text)


def _clean(raw: str) -> str:
    """Casefold and NFKC-normalise, drop invisible characters and collapse whitespace."""
    text = raw
    for _ in range(3):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        if folded == text:
            break
        text = folded
    chars = (_visible(ch) for ch in text)
    text = " ".join("".join(chars).replace("_", " ").split())
    return _SPACES_AROUND_SLASH.sub("/", text)


def _visible(ch: str) -> str:
    """Map control characters to a space and format characters (RTL marks, ZWJ) to nothing."""
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    if category[0] in "CZ" and category != "Zs":
        return " "
    return ch


def _strip_edges(text: str) -> str:
    """Strip surrounding punctuation, keeping a leading "." (".net") and trailing "+"/"#"."""
    start, end = 0, len(text)
    while start < end and not _keeps_start(text, start):
        start += 1
    while end > start and not (text[end - 1].isalnum() or _keeps_end(text, start, end)):
        end -= 1
    return text[start:end]


def _keeps_start(text: str, index: int) -> bool:
    """A tag starts at a letter or digit, or at a dot directly before one."""
    ch = text[index]
    return ch.isalnum() or (ch == "." and index + 1 < len(text) and text[index + 1].isalnum())


def _keeps_end(text: str, start: int, end: int) -> bool:
    """A run of "+" or "#" directly after a letter or digit is part of the tag ("c++")."""
    index = end - 1
    while index >= start and text[index] in _KEEP_TRAILING:
        index -= 1
    return index < end - 1 and index >= start and text[index].isalnum()


def _fold_plural(text: str) -> str:
    """Fold a plain English plural in the last word to its singular ("code reviews")."""
    head, _, word = text.rpartition(" ")
    singular = _singular(word)
    return f"{head} {singular}" if head else singular


def _singular(word: str) -> str:
    """Singular of one lowercase ASCII word, or the word itself when unsure."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if not (word.isascii() and word.isalpha()) or word in _NOT_PLURAL or not word.endswith("s"):
        return word
    if word.endswith(_NEVER_FOLDED_ENDINGS):
        return word
    if word.endswith("ies") and len(word) - 3 >= _MIN_STEM:
        return word[:-3] + "y"
    if word.endswith(_ACHE_ENDING) and not word.endswith(_ACH_ENDINGS):
        return word[:-1]
    if word.endswith(_ES_ENDINGS) and len(word) - 2 >= _MIN_STEM:
        return word[:-2]
    if len(word) - 1 >= _MIN_STEM:
        return word[:-1]
    return word


def _similarity(needle: str, candidate: str) -> float:
    """Score prefix, word-prefix and substring hits above plain edit similarity."""
    if not needle:
        return 0.0
    if needle == candidate:
        return 1.0
    coverage = len(needle) / max(len(candidate), 1)
    if candidate.startswith(needle):
        return 0.85 + 0.1 * coverage
    words = re.split(r"[\s/.\-]+", candidate)
    if len(needle) >= 2 and any(w.startswith(needle) for w in words):
        return 0.75 + 0.1 * coverage
    if len(needle) >= 3 and needle in candidate:
        return 0.65 + 0.1 * coverage
    return 0.8 * SequenceMatcher(None, needle, candidate, autojunk=False).ratio()
