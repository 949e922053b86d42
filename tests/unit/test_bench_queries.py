"""The harness's query catalogue (benchmarks/queries.py) and the tantivy peer
(benchmarks/peer_tantivy.py): each engine is asked the same question. Expected hits are counted
from the records themselves."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import peer_tantivy  # noqa: E402
from benchmarks.queries import QUERY_TYPES, TantivyQuery, cases, rare_words, top_orgs  # noqa: E402
from paperbrowse.models import Paper  # noqa: E402

RECORDS = [
    # title, abstract, org, published, upvotes, comments
    (
        "Diffusion models for video",
        "We train a diffusion model on videos.",
        "NVIDIA",
        date(2026, 4, 2),
        30,
        6,
    ),
    ("Graph transformers", "A graph transformer for molecules.", None, date(2024, 1, 5), 3, 1),
    (
        "Efficient inference",
        "Sparse attention makes inference efficient.",
        "ByteDance Seed",
        date(2026, 5, 1),
        12,
        0,
    ),
    (
        "Language model agents",
        "A language model plans with tools.",
        "NVIDIA",
        date(2025, 2, 3),
        8,
        9,
    ),
    (
        "Reinforcement learning for reasoning",
        "Reinforcement learning improves reasoning of language models.",
        None,
        date(2026, 6, 9),
        50,
        2,
    ),
]


def papers() -> list[Paper]:
    return [
        Paper(
            title=t, abstract=a, org=o, published=p, upvotes=u, comments=c, arxiv_id=f"2601.0000{i}"
        )
        for i, (t, a, o, p, u, c) in enumerate(RECORDS)
    ]


def test_every_type_has_cases_for_each_engine() -> None:
    types = cases(papers())
    assert tuple(types) == QUERY_TYPES
    for name, items in types.items():
        assert items, name
        assert all(c.tantivy is not None for c in items), name
        if name not in ("wildcard", "word range"):  # FTS5 has neither
            assert all(c.fts5 is not None for c in items), name


def test_rare_words_and_orgs_come_from_the_records() -> None:
    many = [
        Paper(title=f"t{i}", abstract="common words " + ("molecules" if i < 3 else ""))
        for i in range(10)
    ]
    assert rare_words(many) == ["molecules"]  # in 3 papers: between 2 and 4
    assert top_orgs(papers()) == ["NVIDIA", "ByteDance Seed"]


def test_patterns_become_regexes_over_unstemmed_words() -> None:
    [case] = [c for c in cases(papers())["prefix"] if c.query == "title:diffusion*"]
    assert case.tantivy == TantivyQuery(patterns=(("title_words", "diffusion.*"),))
    [case] = [c for c in cases(papers())["wildcard"] if c.query == "gr?ph*"]
    assert case.tantivy is not None
    assert case.tantivy.patterns == (("title_words", "gr.ph.*"), ("abstract_words", "gr.ph.*"))


@pytest.mark.skipif(
    not peer_tantivy.available(), reason="the tantivy package is not installed (bench extra)"
)
def test_tantivy_peer_answers_the_same_questions(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    with records.open("w") as handle:
        for p in papers():
            assert p.published is not None
            row = {
                "id": p.id,
                "title": p.title,
                "abstract": p.abstract,
                "org": p.org,
                "published": p.published.isoformat(),
                "upvotes": p.upvotes,
                "comments": p.comments,
            }
            handle.write(json.dumps(row) + "\n")
    built = peer_tantivy.build(records, tmp_path / "ix", threads=1, heap_mb=50)
    assert built["papers"] == len(RECORDS)
    peer = peer_tantivy.Peer(tmp_path / "ix")

    def hits(spec: TantivyQuery) -> int:
        return peer.run(spec)

    assert hits(TantivyQuery(text="diffusion")) == 1  # stemmed: "diffusion" in title and abstract
    assert hits(TantivyQuery(text="language model")) == 2  # AND, stemmed (models)
    assert hits(TantivyQuery(text='"language model"')) == 2
    assert hits(TantivyQuery(text="+language -reinforcement")) == 1
    assert hits(TantivyQuery(text="org:NVIDIA")) == 2
    assert hits(TantivyQuery(text='org:"ByteDance Seed"')) == 1
    want = sum(1 for r in RECORDS if r[5] >= 5)
    assert hits(TantivyQuery(all_docs=True, counts=("comments", 5), order="published")) == want
    in_range = sum(1 for r in RECORDS if date(2026, 3, 1) <= r[3] <= date(2026, 7, 31))
    assert (
        hits(TantivyQuery(all_docs=True, date_range=(date(2026, 3, 1), date(2026, 7, 31))))
        == in_range
    )
    assert hits(TantivyQuery(patterns=(("title_words", "diffusion.*"),))) == 1
    # Diffusion, Efficient, agents ("for" sorts after "f")
    assert hits(TantivyQuery(text="title_words:[a TO f]")) == 3
    # Sorted by a fast field: the largest first.
    result = peer.searcher.search(
        peer.query(TantivyQuery(all_docs=True)), 5, order_by_field="upvotes"
    )
    assert [score for score, _ in result.hits] == sorted((r[4] for r in RECORDS), reverse=True)
