"""Words that explain nothing: what "Shared key terms" and For you's top terms leave out.

The features keep them (Whoosh's short STOP_WORDS list is all the index drops, and the ranking
was measured with them, docs/recommendations.md); only the explanations skip them, so no
ranking changes. The list: English function words (pronouns, determiners, auxiliaries,
conjunctions, adverbs of degree and sequence, in the spirit of van Rijsbergen's stop list,
*Information Retrieval*, 1979, ch. 2) and the filler of abstracts ("paper", "propose",
"results", "e.g"), and the pieces of web addresses that abstracts end with ("Code:
https://github.com/…": `https`, `www`, `github.com`, `io`), which say where the code is, not what
the paper is about. A word pair is filler when either word is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperbrowse.recommend.sparse import top_k

_WORDS = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anyhow anyone anything anyway anywhere
    are around as at back be became because become becomes becoming been before beforehand
    behind being below beside besides between beyond both but by can cannot could did do does
    doing done down due during each either else elsewhere enough especially etc even ever every
    everyone everything everywhere except few first for former formerly from further furthermore
    had has have having he hence her here hereby herein hers herself him himself his how however
    i if in indeed instead into is it its itself just last latter latterly least less likely
    many may me meanwhile might mine more moreover most mostly much must my myself namely neither
    never nevertheless next no nobody none nor not nothing now nowhere of off often on once one
    only onto or other others otherwise our ours ourselves out over own per perhaps rather
    really same several she should show shows shown since so some somehow something sometimes
    somewhat still such than that the their theirs them themselves then thence there thereby
    therefore therein thereof these they this those though through throughout thus to together
    too toward towards under until up upon us very via was we well were what whatever when
    whence whenever where whereas whereby wherein whether which while who whoever whole whom
    whose why will with within without would yet you your yours yourself yourselves
    able across achieve achieves achieved achieving al approach approaches based e.g et etc
    existing furthermore i.e including introduce introduces key make makes new novel paper
    papers present presents propose proposed proposes recent recently result results significant
    significantly specifically study such using use used uses various way ways work works
"""
FILLER = frozenset(_WORDS.split())
# Pieces of web addresses: schemes, `www`, the common top-level domains and code hosts. A word
# is one when it is one of these or is dotted with one (`github.com`, `lab.github.io`).
URL_PIECES = frozenset(
    [
        "http",
        "https",
        "www",
        "com",
        "org",
        "net",
        "edu",
        "io",
        "html",
        "htm",
        "github",
        "githubusercontent",
        "gitlab",
    ]
)


def _url_piece(word: str) -> bool:
    return word in URL_PIECES or ("." in word and any(p in URL_PIECES for p in word.split(".")))


def is_filler(label: str) -> bool:
    """True for a feature label (`space.labels[c]`) that explains nothing: a filler word, a
    number, a piece of a web address (URL_PIECES), or a word pair with one of them. Names
    (authors, organisations) never are, but for one spelled as an address piece (GitHub)."""
    words = label.casefold().split()
    return not words or any(
        w in FILLER or w.replace(".", "").isdigit() or _url_piece(w) for w in words
    )


def telling_labels(
    labels: Sequence[str], columns: np.ndarray, contrib: np.ndarray, n: int
) -> tuple[str, ...]:
    """The labels of the `n` columns with the largest positive `contrib` (aligned with
    `columns`), strongest first, filler left out (ties: the earlier position)."""
    found: list[str] = []
    for i in top_k(contrib, len(contrib)):
        if contrib[i] <= 0 or len(found) == n:
            break
        label = labels[int(columns[i])]
        if not is_filler(label):
            found.append(label)
    return tuple(found)
