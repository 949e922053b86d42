"""The array-based matcher must agree with Whoosh's own matcher on every query shape."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import query

from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.scoring import bm25f, positive_terms
from paperbrowse.library import Library

QUERIES = [
    "model",
    "efficient",
    "efficient inference",
    "efficient OR diffusion",
    "efficient AND NOT diffusion",
    "NOT model",
    "model NOT diffusion NOT video",
    "NOT model NOT video",
    "(efficient NOT diffusion) OR pose",
    "title:pose",
    "abstract:transformer",
    '"language model"',
    '"large language models"',
    '"state of the art"',
    '"neural architecture search"',
    'title:"pose estimation"',
    "pos*",
    "arch*tecture",
    "(video OR image) AND generation",
    "org:deepseek",
    "efficient ANDMAYBE pruning",
    "has_code:true",
    '"model" OR "no such phrase here at all"',
    "zzzznotaword",
]


@pytest.fixture(scope="module")
def library(sample_library_dir: Path) -> Library:
    return Library(sample_library_dir)


@pytest.mark.parametrize("text", QUERIES)
def test_docsets_agree_with_whoosh(library: Library, text: str) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    expected = set(q.docs(searcher))
    got = DocSets(searcher, library.catalog.live_array, library.term_arrays).docs(q)
    assert set(got.tolist()) == expected
    assert got.tolist() == sorted(expected)


def test_docsets_agree_with_whoosh_when_documents_were_deleted(tmp_path: Path) -> None:
    """Postings keep the documents an update deleted: `a NOT b` (a's documents less b's) must
    still leave them out, as must every other shape."""
    from tests.indexing import sample_with_deletions

    library = sample_with_deletions(tmp_path / "data")
    searcher = library.searcher
    assert searcher is not None
    for text in ["model NOT diffusion", "NOT model", "pose NOT estimation NOT human", "model"]:
        q = library.parse_query(text)
        assert q is not None
        got = DocSets(searcher, library.catalog.live_array, library.term_arrays).docs(q)
        assert got.tolist() == sorted(q.docs(searcher)), text
    library.close()


def test_phrase_is_narrower_than_its_words(library: Library) -> None:
    searcher = library.searcher
    assert searcher is not None
    sets = DocSets(searcher, library.catalog.live_array, library.term_arrays)
    words = set(sets.docs(library.parse_query("language model")).tolist())
    phrase = set(sets.docs(library.parse_query('"language model"')).tolist())
    assert phrase and phrase < words


K1, B = 1.2, 0.75


def oracle_scores(library: Library, q: query.Query) -> dict[int, float]:
    """BM25F from Whoosh's own matchers, one posting at a time: fielded terms as Whoosh's
    BM25F scores them; an unfielded word as one field holding title (weight x2) and abstract."""
    searcher = library.searcher
    assert searcher is not None
    reader = searcher.reader()
    count = reader.doc_count_all()
    live = set(reader.all_doc_ids())

    def postings(fieldname: str, text: str) -> dict[int, float]:
        found: dict[int, float] = {}
        for leaf, offset in reader.leaf_readers():
            if (fieldname, text) in leaf:
                matcher = leaf.postings(fieldname, text)
                while matcher.is_active():
                    found[matcher.id() + offset] = matcher.weight()
                    matcher.next()
        return found

    scores: dict[int, float] = {}
    for fieldname, text in positive_terms(q):
        if fieldname == "words":
            weights: dict[int, float] = {}
            for name in ("title", "abstract"):
                for doc, weight in postings(name, text).items():
                    weights[doc] = weights.get(doc, 0.0) + weight
            fields_ = ["title", "abstract"]
            average = sum(searcher.field_length(f) for f in fields_) / count
            df = len(weights)  # deleted documents count too, as in Whoosh's idf
            idf = math.log(count / (df + 1)) + 1
        else:
            weights = postings(fieldname, text)
            fields_ = [fieldname]
            average = searcher.avg_field_length(fieldname)
            idf = searcher.idf(fieldname, text)
        for doc, weight in weights.items():
            if doc not in live:
                continue
            length = sum(reader.doc_field_length(doc, f, 0) for f in fields_)
            norm = K1 * (1 - B + B * length / average)
            scores[doc] = scores.get(doc, 0.0) + idf * weight * (K1 + 1) / (weight + norm)
    return scores


@pytest.mark.parametrize(
    "text",
    ["model", "efficient inference", "efficient OR diffusion", "title:pose", "video NOT image"],
)
def test_bm25f_scores_match_the_oracle(library: Library, text: str) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    expected = oracle_scores(library, q)
    allowed = library.catalog.live_array
    scored = bm25f(searcher, q, allowed, library.catalog.length_arrays, library.term_arrays)
    assert scored is not None and expected
    got = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
    assert set(got) == set(expected)
    for doc, score in expected.items():
        assert got[doc] == pytest.approx(score, rel=1e-9)


_SCORES_SCRIPT = """
import sys
from pathlib import Path
from paperbrowse.engine.scoring import bm25f
from paperbrowse.library import Library
library = Library(Path(sys.argv[1]))
q = library.parse_query(sys.argv[2])
lengths = library.catalog.length_arrays
found = bm25f(library.searcher, q, library.catalog.live_array, lengths, library.term_arrays)
print([float(s).hex() for s in found[1]])
"""


def test_scores_of_many_terms_do_not_depend_on_the_hash_seed(sample_library_dir: Path) -> None:
    """A phrase of two words in title and abstract adds four terms per document; floating-point
    sums depend on their order, which a set of strings takes from the process's hash seed.
    Four processes with four seeds give the same scores to the last bit."""
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-c", _SCORES_SCRIPT, str(sample_library_dir), '"state of the art"'],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.startswith("['0x")
        outputs.add(done.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("text", ["model", "efficient inference", '"language model"'])
def test_bm25f_of_some_documents_scores_them_as_of_all(library: Library, text: str) -> None:
    """Scoring only some documents (a phrase's or an AND's matches) leaves each one's score
    the oracle's: the words' idf still counts every document holding them."""
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    allowed = library.catalog.live_array[::3]
    expected = {d: s for d, s in oracle_scores(library, q).items() if d in set(allowed.tolist())}
    scored = bm25f(searcher, q, allowed, library.catalog.length_arrays, library.term_arrays)
    assert scored is not None and expected
    got = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
    assert set(got) == set(expected)
    for doc, score in expected.items():
        assert got[doc] == pytest.approx(score, rel=1e-9)


def test_fielded_scores_are_whooshs(library: Library) -> None:
    """A fielded term scores exactly as Whoosh's own BM25F scores it."""
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query("title:pose OR abstract:transformer")
    assert q is not None
    whoosh = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
    scored = bm25f(
        searcher, q, library.catalog.live_array, library.catalog.length_arrays, library.term_arrays
    )
    assert scored is not None and whoosh
    got = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
    assert got == pytest.approx(whoosh, rel=1e-6)


def test_relevance_order_follows_the_scores(library: Library) -> None:
    from paperbrowse.models import Filters

    q = library.parse_query("efficient architecture")
    assert q is not None
    scores = oracle_scores(library, q)
    results = library.search(Filters(query="efficient architecture"))
    got = [round(scores[d], 6) for d in results.docnums[:20]]
    assert got == sorted((round(s, 6) for s in scores.values()), reverse=True)[:20]


@pytest.mark.parametrize("fieldname", ["title", "abstract"])
@pytest.mark.parametrize("step", [1, 2, 7])
def test_term_positions_are_whooshs(library: Library, fieldname: str, step: int) -> None:
    """A phrase's (document, position) pairs, read from the side files for many documents
    (one selection of a segment's bytes) or few (each value decoded), are Whoosh's."""
    from paperbrowse.engine.term_postings import term_positions_in

    searcher = library.searcher
    arrays = library.term_arrays
    assert searcher is not None and arrays is not None
    reader = searcher.reader()
    within = library.catalog.live_array[::step]
    wanted = set(within.tolist())
    words = [t for f, t in reader.all_terms() if f == fieldname]
    words = sorted(words, key=lambda t: -reader.doc_frequency(fieldname, t))[:8]
    assert words
    for btext in words:
        expected: list[tuple[int, int]] = []
        for leaf, offset in reader.leaf_readers():
            if (fieldname, btext) not in leaf:
                continue
            matcher = leaf.postings(fieldname, btext)
            while matcher.is_active():
                doc = matcher.id() + offset
                if doc in wanted:
                    expected += [(doc, p) for p in matcher.value_as("positions")]
                matcher.next()
        found = term_positions_in(arrays, fieldname, btext, within)
        assert found is not None
        assert list(zip(found[0].tolist(), found[1].tolist(), strict=True)) == expected


def _org_queries(library: Library) -> list[str]:
    """Every organisation word of the library, alone and in pairs as phrases (either order)."""
    searcher = library.searcher
    assert searcher is not None
    words = [t.decode() for t in searcher.lexicon("org")]
    assert words
    pairs = [f'org:"{a} {b}"' for a in words for b in words if a != b]
    return [f"org:{w}" for w in words] + pairs + [f"model OR org:{words[0]}"]


def test_block_postings_match_as_whoosh(library: Library) -> None:
    """Terms of fields without side files (org), read once per search from Whoosh's blocks,
    alone and as phrases, match what Whoosh's own matcher matches."""
    from paperbrowse.engine.term_postings import BlockPostings

    searcher = library.searcher
    assert searcher is not None
    for text in _org_queries(library):
        q = library.parse_query(text)
        assert q is not None
        blocks = BlockPostings(searcher)
        got = DocSets(
            searcher, library.catalog.live_array, library.term_arrays, blocks=blocks
        ).docs(q)
        assert got.tolist() == sorted(set(q.docs(searcher))), text


def test_org_scores_are_whooshs(library: Library) -> None:
    """An org: term scores as Whoosh's BM25F scores it (its lengths read from the index)."""
    from paperbrowse.engine.term_postings import BlockPostings
    from paperbrowse.engine.whoosh_internals import field_lengths

    searcher = library.searcher
    assert searcher is not None
    lengths = dict(library.catalog.length_arrays)
    lengths["org"] = field_lengths(searcher.reader(), "org")
    checked = 0
    for text in _org_queries(library):
        q = library.parse_query(text)
        assert q is not None
        whoosh = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        if not whoosh:
            continue
        scored = bm25f(
            searcher,
            q,
            library.catalog.live_array,
            lengths,
            library.term_arrays,
            blocks=BlockPostings(searcher),
        )
        assert scored is not None
        got = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
        if "model" in text:  # an unfielded word scores as one field (BM25F): the org part only
            continue
        assert got == pytest.approx(whoosh, rel=1e-6), text
        checked += 1
    assert checked


def test_field_lengths_are_whooshs(library: Library) -> None:
    from paperbrowse.engine.whoosh_internals import field_lengths

    searcher = library.searcher
    assert searcher is not None
    reader = searcher.reader()
    for fieldname in ("org", "title", "abstract", "author"):
        expected = [
            leaf.doc_field_length(d, fieldname, 0) or 0
            for leaf, _ in reader.leaf_readers()
            for d in range(leaf.doc_count_all())
        ]
        assert field_lengths(reader, fieldname).tolist() == expected


def test_org_search_ranks_by_whooshs_scores(library: Library) -> None:
    """`org:` results come in Whoosh's score order (equal scores newest first)."""
    from paperbrowse.models import Filters

    searcher = library.searcher
    assert searcher is not None
    for text in _org_queries(library)[:4]:
        q = library.parse_query(text)
        whoosh = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        results = library.search(Filters(query=text))
        assert sorted(results.docnums) == sorted(whoosh)
        got = [round(whoosh[d], 9) for d in results.docnums]
        assert got == sorted(got, reverse=True)
        rank = library.catalog.rank_array("date")
        for a, b in zip(results.docnums, results.docnums[1:], strict=False):
            if round(whoosh[a], 9) == round(whoosh[b], 9):
                assert rank[a] < rank[b]
