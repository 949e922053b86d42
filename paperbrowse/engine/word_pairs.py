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
The organisation's pair field (`org_pairs`) is the exception: it holds every adjacent pair of
the org field's terms (EVERY_PAIR), as its analyzer keeps them (no stopwords: `University of
Tokyo` is `univers of` and `of tokyo`). An organisation is a few words, so every pair costs
little, and `org:"Peking University"` (a few hundred papers, each word in thousands) becomes one
lookup instead of two words' positions.
COMMON_STEMS are the stems in at least one paper in eight (COMMON_SHARE) of the 9,877 papers
of the HF daily papers API export 2024-2026 (title or abstract; `scripts/common_stems.py`
prints them; tests/unit/test_word_pairs.py checks this list against it). Changing the list
changes what the index holds: bump the schema version (schema_history.py).
"""

from __future__ import annotations

from collections.abc import Sequence

COMMON_SHARE = 1 / 8
# The stemmed field -> its pair field (schema.py).
PAIR_FIELDS = {"title": "title_pairs", "abstract": "abstract_pairs", "org": "org_pairs"}
# Stemmed fields whose pair field holds every adjacent pair, not only those of COMMON_STEMS.
EVERY_PAIR = frozenset({"org"})
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


def pair_terms(terms: Sequence[str]) -> list[str]:
    """The distinct pair terms of a field's stems in order (`analysis.stemmed_terms`, or a
    phrase's words: a paper holding the phrase holds each of its pair terms): each adjacent
    pair of COMMON_STEMS, both joined by a space (a stem never holds one), in order of first
    appearance."""
    common = COMMON_STEMS
    found: dict[str, None] = {}
    for first, second in zip(terms, terms[1:], strict=False):
        if first in common and second in common:
            found[f"{first} {second}"] = None
    return list(found)


def every_pair_term(terms: Sequence[str]) -> list[str]:
    """The distinct pair terms of every adjacent pair of `terms` (a field's terms in order, or
    a phrase's words), both joined by a space, in order of first appearance: what a field of
    EVERY_PAIR holds."""
    return list(dict.fromkeys(f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)))


def phrase_pair_terms(fieldname: str, words: Sequence[str]) -> list[str]:
    """The pair terms a paper holding the phrase `words` (its terms, as the field's analyzer
    makes them) holds in the pair field of `fieldname` (PAIR_FIELDS): `every_pair_term` for a
    field of EVERY_PAIR, else `pair_terms`."""
    return every_pair_term(words) if fieldname in EVERY_PAIR else pair_terms(words)
