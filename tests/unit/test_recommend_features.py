"""tf-idf features: the textbook weighting, the index's analysis, names, pairs, saving."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from whoosh.analysis import StemmingAnalyzer

from paperbrowse.analysis import stem_word
from paperbrowse.models import Paper
from paperbrowse.recommend.features import FeatureError, FeatureSpace, Settings
from paperbrowse.recommend.sparse import FileRows, SparseRows, top_k
from paperbrowse.recommend.storage import FileArray, Strings

SAMPLE = Path(__file__).parents[2] / "paperbrowse" / "sample"


def paper(title: str, abstract: str, **kw: object) -> Paper:
    return Paper(title=title, abstract=abstract, **kw)  # type: ignore[arg-type]


def dense(space: FeatureSpace) -> np.ndarray:
    out = np.zeros((space.n_papers, space.n_features))
    for r in range(space.n_papers):
        cols, vals = space.rows.row(r)
        out[r, cols] = vals
    return out


def test_weights_are_sublinear_tf_times_smooth_idf_scaled_to_unit_length() -> None:
    """Hand-computed from the formula in Manning et al. §6.2-6.4 (sklearn's smooth idf)."""
    papers = [
        paper("Zebra", "zebra zebra lion"),
        paper("Okapi", "lion okapi"),
        paper("Tapir", "tapir okapi"),
    ]
    plain = Settings(title_weight=1.0, phrases=False, min_df=1)
    space = FeatureSpace.build(papers, settings=plain)
    col = {t: i for i, t in enumerate(space.terms)}
    n = 3
    idf = {t: math.log((1 + n) / (1 + df)) + 1 for t, df in {"zebra": 1, "lion": 2}.items()}
    # Paper 0: zebra three times (title + 2), lion once.
    raw = {"zebra": (1 + math.log(3)) * idf["zebra"], "lion": 1 * idf["lion"]}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    row = dense(space)[0]
    assert row[col["zebra"]] == pytest.approx(raw["zebra"] / norm, rel=1e-6)
    assert row[col["lion"]] == pytest.approx(raw["lion"] / norm, rel=1e-6)
    assert np.count_nonzero(row) == 2
    assert np.allclose(np.linalg.norm(dense(space), axis=1), 1.0)


def test_words_are_the_index_terms_named_by_the_most_used_word() -> None:
    text = (SAMPLE / sorted(os.listdir(SAMPLE))[0]).read_text("utf-8")
    blocks = [b for b in text.split("\n\n") if len(b) > 300][:40]
    papers = [paper("Sample paper", b) for b in blocks]
    space = FeatureSpace.build(papers, settings=Settings(phrases=False, min_df=1))
    analyzer = StemmingAnalyzer()
    index_terms = {t.text for b in [*blocks, "Sample paper"] for t in analyzer(b)}
    assert {t for t in space.terms if ":" not in t} == index_terms
    label = space.labels[space.terms.index("network")]
    assert label in ("network", "networks")


def test_title_words_count_twice() -> None:
    papers = [paper("alpha", "beta"), paper("beta", "alpha gamma"), paper("gamma", "delta")]
    space = FeatureSpace.build(papers, settings=Settings(phrases=False, min_df=1))
    row = dense(space)[0]
    alpha, beta = space.terms.index("alpha"), space.terms.index("beta")
    # Same idf (each in 2 papers): the title word weighs (1 + ln 2) times the abstract word.
    assert row[alpha] / row[beta] == pytest.approx(1 + math.log(2), rel=1e-6)


def test_word_pairs_names_and_org_are_features_and_rare_ones_are_dropped() -> None:
    papers = [
        paper("Video generation at scale", "video generation", author_names=["Ada Lovelace"]),
        paper("Fast video generation", "x", author_names=["Ada  Lovelace"], org="DeepMind"),
        paper("Video generation review", "y", org="DeepMind"),
        paper("Generation of video", "z", author_names=["Alan Turing"]),
    ]
    space = FeatureSpace.build(papers)
    pair = f"{stem_word('video')} {stem_word('generation')}"  # the index's stems
    assert pair in space.terms  # in 3 papers
    assert space.labels[space.terms.index(pair)] == "video generation"
    assert space.labels[space.terms.index("author:ada lovelace")] == "Ada Lovelace"
    assert space.labels[space.terms.index("org:deepmind")] == "DeepMind"
    assert "author:alan turing" not in space.terms  # one paper only: can never be shared
    assert f"{stem_word('generation')} {stem_word('video')}" not in space.terms  # in 1 paper
    assert "scale" not in space.terms


def test_summary_stands_in_for_a_missing_abstract() -> None:
    papers = [paper("One", "", summary="quantum walks"), paper("Two", "quantum walks")]
    space = FeatureSpace.build(papers, settings=Settings(phrases=False))
    assert space.terms.index("quantum") in space.rows.row(0)[0]


def test_empty_and_wordless_papers() -> None:
    assert FeatureSpace.build([]).n_papers == 0
    space = FeatureSpace.build([paper("a", ""), paper("b", "")])
    assert space.n_papers == 2 and space.n_features == 0 and space.rows.nnz == 0


def test_save_and_load_round_trip_private_and_checked(tmp_path: Path) -> None:
    papers = [paper(f"Paper {i} on graphs", f"graph network number {i % 3}") for i in range(9)]
    space = FeatureSpace.build(papers, key="gen-7")
    folder = tmp_path / "features"
    space.save(folder)
    space.save(folder)  # replacing a saved space works
    for entry in folder.iterdir():
        assert entry.stat().st_mode & 0o077 == 0, entry
    loaded = FeatureSpace.load(folder, key="gen-7")
    assert loaded.ids == space.ids and list(loaded.terms) == list(space.terms)
    assert list(loaded.labels) == list(space.labels) and len(loaded.labels) > 3
    assert np.array_equal(dense(loaded), dense(space))
    assert isinstance(loaded.rows, FileRows) and isinstance(loaded.rows.data, FileArray)
    whole = FeatureSpace.load(folder, lazy=False)
    assert isinstance(whole.rows, SparseRows) and np.array_equal(dense(whole), dense(space))
    loaded.close()
    with pytest.raises(ValueError, match="closed"):
        loaded.rows.row(0)
    with pytest.raises(FeatureError, match="another library generation"):
        FeatureSpace.load(folder, key="gen-8")
    (folder / "rows.data.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(FeatureError, match="unreadable"):
        FeatureSpace.load(folder)
    with pytest.raises(FeatureError):
        FeatureSpace.load(tmp_path / "missing")


def test_sparse_rows_operations_match_dense_numpy() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.random((7, 5)) * (rng.random((7, 5)) < 0.4)
    matrix[2] = 0  # an empty row
    indptr = np.concatenate([[0], np.cumsum((matrix != 0).sum(axis=1))])
    cols = np.nonzero(matrix)[1].astype(np.int32)
    rows = SparseRows(indptr, cols, matrix[matrix != 0].astype(np.float32), 5)
    w, r = rng.random(5), rng.random(7)
    assert np.allclose(rows.dot(w), matrix @ w, atol=1e-6)
    assert np.allclose(rows.tdot(r), matrix.T @ r, atol=1e-6)
    picked = np.array([4, 2, 0])
    taken = rows.take(picked)
    assert np.allclose(taken.dot(w), matrix[picked] @ w, atol=1e-6)
    t = rows.transpose()
    assert np.allclose(t.dot(r), matrix.T @ r, atol=1e-6)


def test_top_k_is_best_first_and_breaks_ties_by_position() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9])
    assert top_k(scores, 3).tolist() == [1, 4, 0]
    assert top_k(scores, 2, np.array([3, 2, 0])).tolist() == [2, 0]
    assert top_k(scores, 0).tolist() == []


def test_chunked_products_match_dense_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """dot and combine work in chunks of entries; tiny chunks must give the same numbers."""
    from paperbrowse.recommend import sparse

    rng = np.random.default_rng(5)
    matrix = rng.random((30, 12)) * (rng.random((30, 12)) < 0.3)
    matrix[[0, 7, 29]] = 0  # empty rows, first and last among them
    indptr = np.concatenate([[0], np.cumsum((matrix != 0).sum(axis=1))])
    cols = np.nonzero(matrix)[1].astype(np.int32)
    rows = SparseRows(indptr, cols, matrix[matrix != 0].astype(np.float32), 12)
    dense32 = matrix.astype(np.float32).astype(np.float64)
    w, picked = rng.random(12), np.array([3, 7, 11, 20])
    weights = rng.random(4)
    expected_dot, expected_combine = dense32 @ w, weights @ dense32[picked]
    for chunk in (1, 3, 1 << 21):
        monkeypatch.setattr(sparse, "_CHUNK", chunk)
        assert np.allclose(rows.dot(w), expected_dot)
        assert np.allclose(rows.combine(picked, weights), expected_combine)


def test_strings_pack_and_index() -> None:
    items = ["diffusion", "", "Yann LeCun", "ñandú 🦙", "diffusion"]
    packed = Strings.of(items)
    assert len(packed) == 5 and list(packed) == items and packed[-2] == "ñandú 🦙"
    assert packed[1:3] == ["", "Yann LeCun"]
    assert packed.index("diffusion") == 0 and packed.index("Yann LeCun") == 2
    with pytest.raises(ValueError):
        packed.index("absent")
    with pytest.raises(IndexError):
        packed[5]


def test_lazily_loaded_rows_gather_take_and_combine_as_in_memory(tmp_path: Path) -> None:
    """FileRows reads one range per row (FileArray.ranges): the same entries, in the same order,
    as the in-memory rows, for rows in any order, repeated or empty."""
    papers = [paper(f"Paper {i} on graphs", f"graph network number {i % 3}") for i in range(9)]
    papers.append(paper("a", ""))  # a row without entries
    space = FeatureSpace.build(papers)
    space.save(tmp_path / "features")
    lazy = FeatureSpace.load(tmp_path / "features")
    whole = FeatureSpace.load(tmp_path / "features", lazy=False)
    assert isinstance(lazy.rows, FileRows) and isinstance(whole.rows, SparseRows)
    picked = np.array([4, 9, 0, 4, 8])
    for got, want in zip(lazy.rows.gather(picked), whole.rows.gather(picked), strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    taken, expected = lazy.rows.take(picked), whole.rows.take(picked)
    assert np.array_equal(taken.indptr, expected.indptr)
    assert np.array_equal(taken.indices, expected.indices)
    assert np.array_equal(taken.data, expected.data)
    features = np.array([0, 3, 1])
    weights = np.array([0.5, -1.0, 2.0])
    assert np.array_equal(
        lazy.postings.combine(features, weights), whole.postings.combine(features, weights)
    )
    assert [len(a) for a in lazy.rows.gather(np.array([9]))] == [0, 0]
    lazy.close()
    with pytest.raises(ValueError, match="closed"):
        lazy.rows.gather(picked)
