"""More like this and For you on small fixed corpora whose right answers are known by design."""

from __future__ import annotations

import numpy as np
import pytest

from paperbrowse.analysis import kept_words, stem_word
from paperbrowse.models import Paper
from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.foryou import ForYouModel, Labels, TooFewLabels, train, training_set
from paperbrowse.recommend.logistic import fit_logistic
from paperbrowse.recommend.similar import similar
from paperbrowse.recommend.sparse import SparseRows

# Three topics, eight papers each: protein folding, speech recognition, robot grasping. Every
# paper also carries filler words common to all topics.
FILLER = "We propose a method and report results on standard benchmarks with strong baselines."
TOPICS = {
    "protein": [
        "Protein structure prediction with folding models",
        "Protein folding dynamics from amino acid sequences",
        "Predicting protein binding sites with folding priors",
        "Amino acid language models for protein design",
        "Protein folding at scale with structure modules",
        "Side chain packing for protein structure refinement",
        "Protein complexes and folding of amino acid chains",
        "Structure prediction for antibody protein loops",
    ],
    "speech": [
        "Speech recognition with streaming acoustic models",
        "Acoustic models for low resource speech recognition",
        "Speaker adaptation in speech recognition systems",
        "End to end speech recognition with phoneme targets",
        "Noisy speech recognition with acoustic augmentation",
        "Multilingual speech recognition from raw audio",
        "Speech recognition for accented speakers",
        "Acoustic phoneme models for spoken language",
    ],
    "robot": [
        "Robot grasping with tactile sensing",
        "Learning robot grasping policies from demonstrations",
        "Tactile feedback for dexterous robot manipulation",
        "Robot grasping of deformable objects",
        "Grasp planning for robot arms with tactile sensors",
        "Sim to real transfer for robot grasping",
        "Dexterous manipulation with multi finger robot hands",
        "Robot grasping in clutter with depth cameras",
    ],
}


def corpus() -> list[Paper]:
    papers = []
    for topic, titles in TOPICS.items():
        for title in titles:
            papers.append(Paper(title=title, abstract=f"{title}. {FILLER} Topic notes: {topic}."))
    return papers


@pytest.fixture(scope="module")
def space() -> FeatureSpace:
    return FeatureSpace.build(corpus())


def topic_of(space: FeatureSpace, row: int) -> str:
    return list(TOPICS)[row // 8]


def rows_of(topic: str) -> list[int]:
    start = list(TOPICS).index(topic) * 8
    return list(range(start, start + 8))


# -- more like this ----------------------------------------------------------------------------


def test_a_near_duplicate_is_the_nearest_neighbour() -> None:
    papers = corpus()
    original = papers[0]
    twin = Paper(
        title="Protein structure prediction using folding models",
        abstract=original.abstract.replace("with", "using"),
    )
    papers.append(twin)
    space = FeatureSpace.build(papers)
    found = similar(space, [0], limit=5)
    assert found[0].id == twin.id
    assert found[0].score > found[1].score
    assert 0 < found[-1].score <= found[0].score <= 1.0 + 1e-6


def test_neighbours_of_a_paper_are_its_topic(space: FeatureSpace) -> None:
    for row in (0, 9, 17):
        found = similar(space, [row], limit=7)
        assert [topic_of(space, n.row) for n in found] == [topic_of(space, row)] * 7
        assert row not in [n.row for n in found]


def test_marked_papers_together_exclusions_and_candidates(space: FeatureSpace) -> None:
    marked = [8, 9, 10]
    found = similar(space, marked, limit=5, exclude=[11, 12])
    rows = [n.row for n in found]
    assert not set(rows) & {8, 9, 10, 11, 12}
    assert rows[:3] and {topic_of(space, r) for r in rows[:3]} == {"speech"}  # 13, 14, 15
    assert {topic_of(space, r) for r in rows[3:]} <= {"protein", "robot"}
    only = similar(space, [0], limit=30, candidates=np.array(rows_of("robot")))
    assert {n.row for n in only} <= set(rows_of("robot"))
    with pytest.raises(IndexError):
        similar(space, [len(corpus())])


def stems(text: str) -> set[str]:
    return {stem_word(w) for w in kept_words(text)}


def test_shared_terms_occur_in_both_papers(space: FeatureSpace) -> None:
    papers = corpus()
    for row in (0, 12, 20):
        for n in similar(space, [row], limit=4):
            assert n.shared, n
            for label in n.shared:
                for word in label.split():  # a pair names two words
                    here = stems(papers[row].title + " " + papers[row].abstract)
                    there = stems(papers[n.row].title + " " + papers[n.row].abstract)
                    assert stem_word(word) in here and stem_word(word) in there, (label, n)


# -- For you -----------------------------------------------------------------------------------


def ids(space: FeatureSpace, rows: list[int]) -> list[str]:
    return [space.ids[r] for r in rows]


def test_stars_on_one_topic_rank_that_topic_first(space: FeatureSpace) -> None:
    stars = rows_of("robot")[:5]
    model = train(space, Labels.from_triage(ids(space, stars), [], []))
    assert isinstance(model, ForYouModel)
    candidates = np.array([r for r in range(24) if r not in stars])
    order = model.order(space, candidates).tolist()
    assert set(order[:3]) == set(rows_of("robot")[5:])
    picks = model.rank(space, candidates, limit=3)
    assert [p.row for p in picks] == order[:3]
    assert picks[0].score >= picks[1].score >= picks[2].score


def test_hidden_papers_push_their_topic_down() -> None:
    # Stars: robot papers that also mention speech recognition and protein folding alike.
    # Hiding speech papers must lower the speech candidates against the protein candidates,
    # and below them.
    papers = corpus()
    for i in range(16, 22):
        extra = " Speech recognition commands. Protein folding insights."
        papers[i] = Paper(title=papers[i].title, abstract=papers[i].abstract + extra)
    space = FeatureSpace.build(papers)
    stars = ids(space, list(range(16, 22)))
    hidden = ids(space, rows_of("speech")[:6])
    plain = train(space, Labels.from_triage(stars, [], []))
    taught = train(space, Labels.from_triage(stars, [], hidden))
    assert isinstance(plain, ForYouModel) and isinstance(taught, ForYouModel)
    speech, protein = np.array([14, 15]), np.array([6, 7])

    def gap(model: ForYouModel) -> float:
        return float(model.scores(space, speech).mean() - model.scores(space, protein).mean())

    assert gap(taught) < gap(plain) - 0.1
    assert taught.scores(space, speech).max() < taught.scores(space, protein).min()
    order = taught.order(space, np.array([14, 15, 6, 7])).tolist()
    assert set(order[2:]) == {14, 15}


def test_read_but_not_starred_counts_against_and_stars_win() -> None:
    labels = Labels.from_triage(["a", "b"], read=["b", "c"], hidden=["d", "a"])
    assert labels.positives == {"a", "b"}
    assert labels.negatives == {"c", "d"}  # b is read but starred; a is starred (and hidden)
    tagged = Labels.from_triage(["a"], read=["b"], hidden=[], tag="rl", tagged=["b", "e"])
    assert tagged.positives == {"b", "e"} and tagged.negatives == set() and tagged.tag == "rl"


def test_too_few_stars_is_a_typed_result(space: FeatureSpace) -> None:
    four = ids(space, rows_of("protein")[:4])
    result = train(space, Labels.from_triage([*four, "not-in-the-library"], [], []))
    assert result == TooFewLabels(n_stars=4, needed=5)
    assert "at least 5 starred papers" in result.message and "4" in result.message
    tagged = train(space, Labels.from_triage([], [], [], tag="folding", tagged=four[:1]))
    assert isinstance(tagged, TooFewLabels) and tagged.tag == "folding"
    assert "tagged folding" in tagged.message


def test_explanations_are_terms_of_the_paper_the_stars_share(space: FeatureSpace) -> None:
    papers = corpus()
    stars = rows_of("protein")[:5]
    model = train(space, Labels.from_triage(ids(space, stars), [], []))
    assert isinstance(model, ForYouModel)
    star_stems = [stems(papers[r].title + " " + papers[r].abstract) for r in stars]
    for pick in model.rank(space, np.array(rows_of("protein")[5:]), limit=3):
        assert pick.terms
        mine = stems(papers[pick.row].title + " " + papers[pick.row].abstract)
        for label in pick.terms:
            for word in label.split():
                assert stem_word(word) in mine
                assert sum(stem_word(word) in s for s in star_stems) >= 3  # MIN_SHARED


def test_training_is_deterministic(space: FeatureSpace) -> None:
    labels = Labels.from_triage(ids(space, rows_of("speech")[:5]), [], ids(space, [0, 1]))
    first, second = train(space, labels), train(space, labels)
    assert isinstance(first, ForYouModel) and isinstance(second, ForYouModel)
    assert np.array_equal(first.weights, second.weights)


def test_logistic_regression_meets_its_optimality_conditions() -> None:
    """At the optimum the gradient of the penalised log-loss is zero (checked densely)."""
    rng = np.random.default_rng(0)
    x = rng.random((40, 6)) * (rng.random((40, 6)) < 0.5)
    y = np.where(x[:, 0] + 0.3 * rng.standard_normal(40) > 0.3, 1.0, -1.0)
    s = rng.random(40) + 0.5
    indptr = np.concatenate([[0], np.cumsum((x != 0).sum(axis=1))])
    rows = SparseRows(indptr, np.nonzero(x)[1].astype(np.int32), x[x != 0].astype(np.float32), 6)
    fit = fit_logistic(rows, y, s, c=2.0, tol=1e-8, max_iter=500)
    assert fit.converged
    z = y * (x.astype(np.float32).astype(np.float64) @ fit.weights + fit.bias)
    r = -s * y / (1 + np.exp(z))
    assert np.allclose(x.T @ r + fit.weights / 2.0, 0, atol=1e-6)
    assert abs(r.sum()) < 1e-6
    with pytest.raises(ValueError):
        fit_logistic(rows, np.zeros(40))


def test_training_set_balances_classes_and_keeps_shared_features(space: FeatureSpace) -> None:
    stars = ids(space, rows_of("speech")[:5])
    hidden = ids(space, rows_of("robot")[:3])
    found = training_set(space, Labels.from_triage(stars, [], hidden), background=10)
    assert not isinstance(found, TooFewLabels)
    assert (found.n_positives, found.n_negatives) == (5, 3)
    assert found.x.n_rows == len(found.y) == len(found.weight) == 5 + 3 + 10
    assert found.y.tolist() == [1.0] * 5 + [-1.0] * 13
    positive, negative = found.weight[:5].sum(), found.weight[5:].sum()
    assert positive == pytest.approx(negative)  # 3 labels + 10 background rows at 0.1 each
    assert negative == pytest.approx(3 + 10 * 0.1)
    star_rows = space.rows.take(np.array(rows_of("speech")[:5]))
    shared = np.bincount(star_rows.indices, minlength=space.n_features)
    assert set(found.x.indices.tolist()) == {c for c in found.x.indices.tolist() if shared[c] >= 3}
    assert {space.labels[c] for c in set(found.x.indices.tolist())} >= {"speech", "recognition"}
