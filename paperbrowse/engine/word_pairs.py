"""Word-pair postings: what makes a phrase of two common words one term lookup.

A phrase is checked against its words' positions (matching.py), and for two common words
("language model": 41,000 of 100,000 papers hold both) decoding and intersecting those
positions is most of a search. Like the common-grams of Lucene's CommonGramsFilter, the title
and abstract fields each have a pair field (PAIR_FIELDS) whose terms are the adjacent pairs of
common stems as StemmingAnalyzer's terms follow each other (stopwords dropped, positions
renumbered: `state of the art` is the pair `state art`). A paper holds the pair term exactly
when it holds the two-word phrase, so such a phrase is answered by the pair's postings, and a
longer phrase's candidates are narrowed by its pairs before its positions are checked.

Only pairs of COMMON_STEMS are kept: a phrase with a rarer word is already cheap (its word's
few papers bound the positions read), and pairs of all words would multiply the postings.
COMMON_STEMS are the stems in at least one paper in eight (COMMON_SHARE) of the 9,877 papers
of the HF daily papers API export 2024-2026 (title or abstract; `scripts/common_stems.py`
prints them; tests/unit/test_word_pairs.py checks this list against it). Changing the list
changes what the index holds: bump the schema version (schema_history.py).
"""

from __future__ import annotations

from collections.abc import Sequence

COMMON_SHARE = 1 / 8
# The stemmed field -> its pair field (schema.py).
PAIR_FIELDS = {"title": "title_pairs", "abstract": "abstract_pairs"}
COMMON_STEMS = frozenset(
    (
        "abil",
        "accuraci",
        "achiev",
        "across",
        "adapt",
        "address",
        "advanc",
        "agent",
        "align",
        "all",
        "also",
        "analysi",
        "applic",
        "approach",
        "architectur",
        "art",
        "avail",
        "awar",
        "base",
        "baselin",
        "benchmark",
        "between",
        "both",
        "but",
        "capabl",
        "challeng",
        "code",
        "compar",
        "complex",
        "comprehens",
        "comput",
        "condit",
        "consist",
        "construct",
        "context",
        "control",
        "critic",
        "current",
        "data",
        "dataset",
        "demonstr",
        "design",
        "develop",
        "differ",
        "diffus",
        "divers",
        "domain",
        "dure",
        "dynamic",
        "each",
        "effect",
        "effici",
        "enabl",
        "enhanc",
        "evalu",
        "exist",
        "experi",
        "explor",
        "extens",
        "find",
        "fine",
        "first",
        "framework",
        "further",
        "gap",
        "gener",
        "generat",
        "github.com",
        "ground",
        "ha",
        "high",
        "howev",
        "http",
        "human",
        "imag",
        "improv",
        "includ",
        "infer",
        "inform",
        "input",
        "interact",
        "into",
        "introduc",
        "it",
        "kei",
        "knowledg",
        "languag",
        "larg",
        "lead",
        "learn",
        "level",
        "leverag",
        "limit",
        "llm",
        "long",
        "make",
        "mechan",
        "method",
        "model",
        "more",
        "multi",
        "multimod",
        "multipl",
        "natur",
        "new",
        "novel",
        "object",
        "offer",
        "often",
        "on",
        "onli",
        "open",
        "optim",
        "our",
        "outperform",
        "over",
        "paper",
        "paradigm",
        "perform",
        "pipelin",
        "predict",
        "present",
        "preserv",
        "prior",
        "problem",
        "process",
        "prompt",
        "propos",
        "provid",
        "qualiti",
        "real",
        "reason",
        "recent",
        "reduc",
        "reinforc",
        "reli",
        "remain",
        "represent",
        "requir",
        "research",
        "result",
        "reveal",
        "robust",
        "sampl",
        "scale",
        "semant",
        "show",
        "signific",
        "significantli",
        "singl",
        "sourc",
        "specif",
        "state",
        "step",
        "strategi",
        "strong",
        "structur",
        "studi",
        "substanti",
        "such",
        "supervis",
        "support",
        "system",
        "task",
        "text",
        "than",
        "thei",
        "their",
        "these",
        "three",
        "through",
        "time",
        "token",
        "train",
        "transform",
        "tune",
        "two",
        "under",
        "understand",
        "unifi",
        "us",
        "via",
        "video",
        "vision",
        "visual",
        "where",
        "which",
        "while",
        "within",
        "without",
        "work",
        "world",
    )
)


def pair_term(first: str, second: str) -> str:
    """The pair field's term for two adjacent stems: both, joined by a space (a stem never
    holds one)."""
    return f"{first} {second}"


def pair_terms(terms: Sequence[str]) -> list[str]:
    """The distinct pair terms of a field's stems in order (`analysis.stemmed_terms`): each
    adjacent pair of COMMON_STEMS, in order of first appearance."""
    common = COMMON_STEMS
    found: dict[str, None] = {}
    for first, second in zip(terms, terms[1:], strict=False):
        if first in common and second in common:
            found[f"{first} {second}"] = None
    return list(found)


def phrase_pairs(words: Sequence[str]) -> list[str]:
    """The pair terms a phrase of stems `words` implies (its adjacent common pairs): a paper
    holding the phrase holds every one of them."""
    return pair_terms(words)
