"""The index schema's version and why each version changed, apart from the schema itself
(schema.py) so that what only compares versions (the manifest, the quick check of an unchanged
`index` run) does not import Whoosh."""

from __future__ import annotations

# Why each version changed: a library built by an earlier one is rebuilt from its recorded
# dumps when first opened (index_commands.ready_library), and the progress line quotes the reasons.
SCHEMA_HISTORY = {
    1: "first release",
    2: "fast indexing analyzer",
    3: "set-based matching and word-pair fields",
    4: "per-generation catalog; word-pair fields dropped",
    5: "a words field for unfielded matching",
    6: "postings side files and compact positions",
    7: "an unfielded word is title or abstract, scored as one field (BM25F)",
    8: (
        "the number after a card's date is its comment count, not upvotes; papers gain arXiv "
        "ids, author names, GitHub stars and AI summaries, and a paper with an arXiv id is one "
        "record whatever its title"
    ),
    9: "wildcards match whole words, not stems; any file name can name a dump",
    10: "phrases of common words read word-pair postings",
    11: "organisation names keep their positions in the compact format",
    12: (
        "organisation names keep their adjacent word pairs (a two-word name is one lookup), "
        "and a phrase no longer spans a name and its handle"
    ),
}
SCHEMA_VERSION = max(SCHEMA_HISTORY)


def changes_since(version: int) -> str:
    """Why a library of schema `version` must be rebuilt, for one line: the reasons of the two
    versions after it (the ones a user of the last releases meets), and how many more changed."""
    later = sorted(v for v in SCHEMA_HISTORY if v > version)
    if not later:
        return ""
    shown = "; ".join(SCHEMA_HISTORY[v] for v in later[-2:])
    earlier = len(later) - 2
    more = f" (and {earlier} earlier change{'s' if earlier > 1 else ''})" if earlier > 0 else ""
    return shown + more
