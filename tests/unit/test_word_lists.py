"""One segment's word list read from a side file written by the codec's own writer: the words a
wildcard matches and the documents flagged for them, for uint16 and uint32 document numbers,
a side file at the start of its file or inside a compound file (an offset that is no page
boundary), mapped or read.

The expected answers come from the postings the test writes and from `fnmatch` (Whoosh's
wildcard syntax) over the words it writes, never from the code under test.
"""

from __future__ import annotations

import fnmatch
import io
import re
from array import array
from pathlib import Path

import numpy as np
import pytest

from paperbrowse.engine import side_files, word_lists
from paperbrowse.engine.codec import SideFileWriter
from paperbrowse.engine.side_files import SegmentArrays
from paperbrowse.engine.word_lists import WordList

FIELD = "abstract_words"


class _Buffer(io.BytesIO):
    """A side file in memory (SideFileWriter closes its file when done)."""

    def close(self) -> None:
        pass


def postings(doc_count: int) -> dict[str, list[int]]:
    """Words (in byte order, as Whoosh writes them) and their ascending document numbers: a
    few with more than PER_WORD postings, the rest with a handful, some beyond ASCII."""
    rng = np.random.default_rng(7)
    words = ["a", "bring", "going", "ing", "kings", "king", "résumé", "rising", "ésion", "éting"]
    words += [f"w{n:03d}ing" for n in range(40)] + [f"w{n:03d}" for n in range(40)]
    found: dict[str, list[int]] = {}
    for n, word in enumerate(sorted(words, key=lambda w: w.encode("utf-8"))):
        size = 600 if n % 7 == 0 else 1 + n % 5
        ids = rng.choice(doc_count, size=min(size, doc_count), replace=False)
        found[word] = sorted(int(i) for i in ids)
    return found


def side_file(doc_count: int, words: dict[str, list[int]]) -> bytes:
    buffer = _Buffer()
    writer = SideFileWriter(buffer)
    writer.segment_size(doc_count)
    for word, ids in words.items():
        writer.start_word(FIELD, word.encode("utf-8"))
        writer.block(array("I", ids), array("f", [1.0] * len(ids)), [b""] * len(ids))
        writer.finish()
    writer.close()
    return buffer.getvalue()


@pytest.mark.parametrize("doc_count", [300, 70_000], ids=["uint16", "uint32"])
@pytest.mark.parametrize("base", [0, 5_000], ids=["alone", "in-compound"])
@pytest.mark.parametrize("mapped", [True, False], ids=["mapped", "read"])
@pytest.mark.parametrize("per_word", [0, word_lists.PER_WORD, 10**9])
@pytest.mark.parametrize("few_words", [0, word_lists.FEW_WORDS], ids=["arrays", "regex"])
def test_a_wildcard_flags_exactly_the_documents_of_its_words(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    doc_count: int,
    base: int,
    mapped: bool,
    per_word: int,
    few_words: int,
) -> None:
    words = postings(doc_count)
    data = side_file(doc_count, words)
    path = tmp_path / "segment.seg"
    path.write_bytes(b"\xee" * base + data + b"\xee" * 100)  # other files of a compound one
    monkeypatch.setattr(word_lists, "PER_WORD", per_word)
    monkeypatch.setattr(word_lists, "FEW_WORDS", few_words)
    if not mapped:
        monkeypatch.setattr(side_files, "mapped_range", lambda fd, base, length: (None, 0))
    segment = SegmentArrays(path, base, len(data))
    try:
        assert segment.mapped == mapped
        assert segment.word_id_width(FIELD) == (2 if doc_count <= 1 << 16 else 4)
        listed = WordList.of(segment, FIELD)
        assert listed is not None and listed.size == len(words)
        names = list(words)
        patterns = ["*ing", "?ing", "??ing", "*?ing", "w0*ing", "k*", "*é", "?sion", "*"]
        # words shorter than the rest: "a", the first word, has no bytes before it
        patterns += ["*aa", "*aaaaa", "?a", "*g", "*ng"]
        for pattern in patterns:
            literal = re.split(r"[*?]", pattern, maxsplit=1)[0]  # the words it must start with
            chosen = listed.matching(pattern, *listed.prefix(literal.encode("utf-8")))
            expected_words = [w for w in names if fnmatch.fnmatchcase(w, pattern)]
            assert [names[i] for i in chosen.tolist()] == expected_words, pattern
            flags = np.zeros(doc_count, dtype=bool)
            listed.mark(chosen, flags)
            expected = sorted({d for w in expected_words for d in words[w]})
            assert np.flatnonzero(flags).tolist() == expected, pattern
        flags = np.zeros(doc_count, dtype=bool)
        listed.mark((1, 4), flags)  # a range of words: a prefix's or a word range's
        expected = sorted({d for w in names[1:4] for d in words[w]})
        assert np.flatnonzero(flags).tolist() == expected
    finally:
        segment.close()
