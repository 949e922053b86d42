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


URL_PIECES = {"https", "http", "www", "com", "org", "io", "github"}


def test_url_pieces_are_not_named_as_for_you_terms() -> None:
    from paperbrowse.models import Paper
    from tests.unit.test_recommend_model import FILLER, TOPICS

    # The starred topic's abstracts end with code links (as real abstracts do: "Code:
    # https://github.com/…"), so the URL pieces are as telling to the model as the topic words.
    papers = []
    for topic, titles in TOPICS.items():
        for n, title in enumerate(titles):
            link = f" Code: https://github.com/lab{n}/{topic}{n} and www.lab{n}.org/x.io"
            tail = link if topic == "robot" else ""
            papers.append(Paper(title=title, abstract=f"{title}. {FILLER}{tail}"))
    space = FeatureSpace.build(papers)
    model = train(space, Labels.from_triage(space.ids[16:21], [], space.ids[:5]))
    assert isinstance(model, ForYouModel)
    named = set()
    for row in range(space.n_papers):
        named |= _words(model.explain(space, row))
    assert "robot" in named, "the starred topic is named"
    assert not named & URL_PIECES
    for piece in URL_PIECES:
        assert is_filler(piece)
