"""The explanations ("Shared key terms", For you's top terms) name no filler words: the words a
new user found there (issue 14's test: "its, these, such, using, however, then, their, up,
paper", "e.g") and English function words like them."""

from __future__ import annotations

from pathlib import Path

from paperbrowse.library import Library
from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.filler import is_filler
from paperbrowse.recommend.foryou import ForYouModel, Labels, train
from paperbrowse.recommend.similar import similar

SEEN = {"its", "these", "such", "using", "however", "then", "their", "up", "paper", "e.g"}


def _space(data_dir: Path) -> FeatureSpace:
    library = Library(data_dir)
    try:
        docs = library.catalog.live_array
        return FeatureSpace.build([library.paper_at(int(d)) for d in docs])
    finally:
        library.close()


def _words(terms: tuple[str, ...]) -> set[str]:
    return {w for t in terms for w in t.casefold().split()}


def test_shared_key_terms_and_for_you_terms_leave_out_filler(sample_library_dir: Path) -> None:
    space = _space(sample_library_dir)
    named: set[str] = set()
    for row in range(space.n_papers):
        for found in similar(space, [row], limit=10):
            assert found.shared, "a neighbour shares at least one telling term"
            named |= _words(found.shared)
    assert not named & SEEN
    stars = [space.ids[0], *(n.id for n in similar(space, [0], limit=5))]
    model = train(space, Labels.from_triage(stars, [], []))
    assert isinstance(model, ForYouModel)
    for row in range(space.n_papers):
        terms = model.explain(space, row)
        assert not _words(terms) & SEEN
        assert not any(is_filler(t) for t in terms)


def test_names_and_topic_words_are_not_filler() -> None:
    assert not is_filler("diffusion")
    assert not is_filler("video generation")
    assert not is_filler("Yann LeCun")
    assert is_filler("its") and is_filler("e.g") and is_filler("using diffusion")
    assert is_filler("2024")
