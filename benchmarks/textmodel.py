"""A model of the real papers, learned from the 9,877 HF API records, that writes new ones.

`learn(records)` builds, from the real records (../shared/data/hf-daily-papers-api-2024-2026
.jsonl.gz, never the small bundled sample):

- word-level bigram chains over the real titles, abstracts and AI summaries (tokens split on
  white space, punctuation kept), so the vocabulary and the term frequencies are the real ones;
- the real records themselves as *templates*: each new paper copies one real record's numbers
  together (title and abstract length in words, upvotes, comments, author count, organisation,
  whether it has a GitHub repository and how many stars, an AI summary, a project page, and the
  days between arXiv publication and the daily page), so the distributions and their
  correlations are the real ones;
- author first and last names from the real `author_names`;
- Heaps' law for the vocabulary, `V = K * T**beta` (V distinct words after T word tokens),
  fitted on the real archive: a bigram chain can only repeat the archive's 9,877 papers' words,
  while a larger real collection keeps meeting new ones (model and dataset names, mostly), so
  the writer coins new words in place of the archive's once-only words at the rate the law gives.

`Writer(model, rng).paper(day)` returns a record in the API's own shape (the page renderers of
benchmarks/pages.py take it as they take a real one). Everything comes from one
`random.Random`, nothing from the clock or from hash order: the same seed gives the same papers.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from paperbrowse.models import normalise_title

END = -1
URL = re.compile(r"https?://|www\.|\.com/|\.io/")
WORD = re.compile(r"\w+")
_SLUG = re.compile(r"[^A-Za-z0-9]+")
_TRAILING = re.compile(r"[^\w]+$")
_NON_LETTER = re.compile(r"[^A-Za-z]+")
# How often a walk follows its anchor text's own bigrams (Chain.walk): tuned so that topical
# words are in as many papers as in the archive (docs/benchmark-corpus.md).
TITLE_STAY = 0.6
ABSTRACT_STAY = 0.8
FOREIGN_REJECT = 0.98
COMMON_DF = 0.2
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "without",
        "towards",
    ]
)


def words_of(text: str) -> list[str]:
    """The lowercase words (`\\w+` runs) of a text: what the corpus statistics count."""
    return WORD.findall(text.lower())


class Chain:
    """A bigram chain over white-space tokens.

    `successors[i]` lists (with repetition, so a draw follows the real bigram frequencies) the
    ids of the tokens that followed token `i` in the real texts, `END` where a text ended.
    A walk that reaches an end before its target length restarts at a sentence start.
    """

    def __init__(self, texts: Iterable[Sequence[str]], skip: re.Pattern[str] | None = None):
        """Learn from tokenised texts; a token matching `skip` is left out and cuts the chain."""
        index: dict[str, int] = {}
        self.vocab: list[str] = []
        successors: list[list[int]] = []
        self.starts: list[int] = []
        self.restarts: list[int] = []  # text starts and sentence starts
        counts: Counter[int] = Counter()
        self.docs: list[array[int]] = []  # each text's token ids, END where a token was skipped
        for tokens in texts:
            prev = END
            first = True
            doc = array("i")
            self.docs.append(doc)
            for token in tokens:
                if skip is not None and skip.search(token):
                    if prev != END:
                        successors[prev].append(END)
                    prev = END
                    doc.append(END)
                    continue
                tid = index.get(token)
                if tid is None:
                    tid = index[token] = len(self.vocab)
                    self.vocab.append(token)
                    successors.append([])
                counts[tid] += 1
                doc.append(tid)
                if first:
                    self.starts.append(tid)
                    self.restarts.append(tid)
                elif prev == END:
                    self.restarts.append(tid)
                else:
                    successors[prev].append(tid)
                    if self.vocab[prev].endswith(".") and token[:1].isupper():
                        self.restarts.append(tid)
                first = False
                prev = tid
            if prev != END:
                successors[prev].append(END)
        self.successors: list[tuple[int, ...]] = [tuple(s) for s in successors]
        # Tokens seen once in the whole archive: where a larger collection has its new words.
        self.once = [counts[t] == 1 for t in range(len(self.vocab))]
        df: Counter[int] = Counter()
        for doc in self.docs:
            df.update(set(doc))
        texts_seen = max(1, len(self.docs))
        self.common = [df[t] >= COMMON_DF * texts_seen for t in range(len(self.vocab))]

    def walk(
        self,
        rng: random.Random,
        length: int,
        min_length: int,
        anchor: int | None = None,
        stay: float = 0.0,
    ) -> list[int]:
        """About `length` token ids; an end of text is taken only past `min_length` tokens.

        With an `anchor` (the number of a real text), each step follows that text's own
        bigrams with probability `stay` where it can (and starts and restarts in it), else the
        whole archive's, where a word that is neither in the anchor nor in COMMON_DF of all texts
        is redrawn from the anchor with probability FOREIGN_REJECT: a text keeps
        to its anchor's topic, so a topical word is in about as few documents as in the real
        texts, while the sentences keep mixing across the archive.
        """
        rand = rng.random
        successors, restarts, common = self.successors, self.restarts, self.common
        local: dict[int, list[int]] = {}
        local_starts: list[int] = []
        if anchor is not None and stay:
            doc = self.docs[anchor]
            prev = END
            for tid in doc:
                if prev == END:
                    if tid != END:
                        local_starts.append(tid)
                else:
                    local.setdefault(prev, []).append(tid)
                    if (
                        tid != END
                        and self.vocab[prev].endswith(".")
                        and self.vocab[tid][:1].isupper()
                    ):
                        local_starts.append(tid)
                prev = tid
        anchor_words = list(local)
        out: list[int] = []
        if local_starts and rand() < stay:
            tid = local_starts[0]
        else:
            tid = self.starts[int(rand() * len(self.starts))]
        while len(out) < length:
            out.append(tid)
            own = local.get(tid)
            if own is not None and rand() < stay:
                tid = own[int(rand() * len(own))]
            else:
                nxt = successors[tid]
                step = nxt[int(rand() * len(nxt))] if nxt else END
                if (
                    local
                    and step != END
                    and step not in local
                    and not common[step]
                    and rand() < FOREIGN_REJECT
                ):
                    step = (
                        own[int(rand() * len(own))]
                        if own
                        else anchor_words[int(rand() * len(anchor_words))]
                    )
                tid = step
            if tid == END:
                if len(out) >= min_length:
                    break
                if local_starts and rand() < stay:
                    tid = local_starts[int(rand() * len(local_starts))]
                else:
                    tid = restarts[int(rand() * len(restarts))]
        return out

    def finish(self, rng: random.Random, ids: list[int], limit: int = 40) -> None:
        """Follow the chain from the last token until a sentence ends (at most `limit` more)."""
        tid = ids[-1]
        for _ in range(limit):
            if self.vocab[tid].endswith("."):
                return
            nxt = self.successors[tid]
            tid = nxt[int(rng.random() * len(nxt))] if nxt else END
            if tid == END:
                return
            ids.append(tid)


@dataclass
class Heaps:
    """Heaps' law `V = K * T**beta`: distinct words V after T word tokens (title + abstract)."""

    k: float
    beta: float

    def vocabulary(self, tokens: float) -> float:
        """The expected number of distinct words after `tokens` word tokens."""
        return self.k * tokens**self.beta


def fit_heaps(records: Sequence[dict[str, Any]], points: int = 12) -> Heaps:
    """Least squares on log V against log T over growing prefixes of the records (file order)."""
    seen: set[str] = set()
    tokens = 0
    marks = {max(1, round(len(records) * (i + 1) / points)) for i in range(points)}
    xs, ys = [], []
    for n, rec in enumerate(records, 1):
        words = words_of(rec["title"]) + words_of(rec["abstract"])
        tokens += len(words)
        seen.update(words)
        if n in marks:
            xs.append(math.log(tokens))
            ys.append(math.log(len(seen)))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return Heaps(k=math.exp(my - beta * mx), beta=beta)


@dataclass
class Model:
    """Everything learned from the real records (see the module docstring)."""

    titles: Chain
    abstracts: Chain
    summaries: Chain
    templates: list[dict[str, Any]]
    first_names: list[str]
    last_names: list[str]
    heaps: Heaps
    real_vocabulary: int  # distinct words of the real titles and abstracts
    real_tokens: int
    url_rate: float  # share of real abstracts that hold a URL
    per_day: list[int]  # papers per daily page, one entry per real day
    day_members: list[list[int]]  # the templates of each real day, days in date order
    gaps: list[int]  # days between one real daily page and the next (weekends have none)
    name_words: list[str]  # title words for repository names and handles


_LEARNED: dict[int, tuple[Sequence[dict[str, Any]], Model]] = {}


def learn(records: Sequence[dict[str, Any]]) -> Model:
    """The model of `records` (the real API records, in file order); learned once per list
    object in a process (about 5 s on the archive)."""
    known = _LEARNED.get(id(records))
    if known is not None and known[0] is records:
        return known[1]
    model = _learn(records)
    _LEARNED[id(records)] = (records, model)
    return model


def _learn(records: Sequence[dict[str, Any]]) -> Model:
    firsts: dict[str, None] = {}
    lasts: dict[str, None] = {}
    vocab: set[str] = set()
    tokens = 0
    templates = []
    for rec in records:
        for name in rec["author_names"] or []:
            first, _, last = name.strip().rpartition(" ")
            if first and last:
                firsts.setdefault(first)
                lasts.setdefault(last)
        words = words_of(rec["title"]) + words_of(rec["abstract"])
        tokens += len(words)
        vocab.update(words)
        lag = date.fromisoformat(rec["daily_page"]) - date.fromisoformat(rec["published_at"][:10])
        templates.append(
            {
                "title_words": len(rec["title"].split()),
                "abstract_words": len([t for t in rec["abstract"].split() if not URL.search(t)]),
                "summary_words": len((rec["ai_summary"] or "").split()),
                "upvotes": rec["upvotes"],
                "comments": rec["comments"],
                "authors": rec["authors"],
                "org": rec["org"],
                "org_handle": rec["org_handle"],
                "github": bool(rec["github_repo"]),
                "github_stars": rec["github_stars"],
                "project_page": bool(rec["project_page"]),
                "lag_days": max(0, lag.days),
                "submitted": rec["submitted_on_daily_at"] is not None,
            }
        )
    days = Counter(rec["daily_page"] for rec in records)
    members: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        members.setdefault(rec["daily_page"], []).append(i)
    title_tokens = [rec["title"].split() for rec in records]
    name_words = sorted(
        {w for t in title_tokens for w in (_SLUG.sub("", x) for x in t) if len(w) > 3}
        - {w.capitalize() for w in STOPWORDS}
    )
    return Model(
        titles=Chain(title_tokens),
        abstracts=Chain((rec["abstract"].split() for rec in records), skip=URL),
        summaries=Chain((rec["ai_summary"] or "").split() for rec in records),
        templates=templates,
        first_names=list(firsts),
        last_names=list(lasts),
        heaps=fit_heaps(records),
        real_vocabulary=len(vocab),
        real_tokens=tokens,
        url_rate=sum(bool(URL.search(rec["abstract"])) for rec in records) / len(records),
        per_day=[days[d] for d in sorted(days)],
        day_members=[members[d] for d in sorted(members)],
        gaps=[
            (date.fromisoformat(b) - date.fromisoformat(a)).days
            for a, b in zip(sorted(days), sorted(days)[1:], strict=False)
        ],
        name_words=name_words,
    )


class Writer:
    """New papers from a `Model`, one `random.Random` stream, in the API records' shape."""

    def __init__(self, model: Model, rng: random.Random) -> None:
        """Start a corpus: no titles used, no words coined, arXiv numbers from 1 per month."""
        self.model = model
        self.rng = rng
        self.titles_seen: set[int] = set()  # 64-bit hashes of normalised titles
        self.arxiv_next: dict[str, int] = {}
        self.coined: list[str] = []
        self.new_words = 0  # words not in the archive: coined, and in the links written
        self.tokens = 0  # word tokens written so far (titles and abstracts)
        self.seen_real = 0.0  # expected distinct real words met after `tokens` tokens

    # ---- words ---------------------------------------------------------------------------

    def coin_due(self) -> bool:
        """True while the corpus has fewer coined words than Heaps' law asks of its size."""
        model = self.model
        target = model.heaps.vocabulary(self.tokens) - model.real_vocabulary
        return self.new_words < target

    def coin(self, token: str) -> str:
        """A new word in place of a once-only real `token`: the letters of its head and of
        another word's tail (punctuation around the token kept)."""
        rng, chain = self.rng, self.model.abstracts
        core = _TRAILING.sub("", token)
        letters = _NON_LETTER.sub("", core) or "x"
        other = _NON_LETTER.sub("", chain.vocab[int(rng.random() * len(chain.vocab))]) or "on"
        word = letters[: max(1, (len(letters) + 1) // 2)] + other[len(other) // 2 :]
        return word + token[len(core) :]

    def text(self, chain: Chain, ids: list[int]) -> list[str]:
        """Tokens of a walk, with once-only words replaced by coined ones as Heaps' law asks."""
        vocab, once, rng = chain.vocab, chain.once, self.rng
        out = []
        for tid in ids:
            token = vocab[tid]
            if once[tid]:
                if self.coin_due():
                    token = self.coin(token)
                    self.coined.append(token)
                    self.new_words += 1
                elif self.coined and rng.random() < 0.5:
                    token = self.coined[int(rng.random() * len(self.coined))]
            out.append(token)
        self.tokens += len(WORD.findall(" ".join(out)))
        return out

    # ---- fields --------------------------------------------------------------------------

    def title(self, length: int, anchor: int) -> str:
        """A title of about `length` words near real title `anchor`, unique by paperbrowse's
        normalised title."""
        rng, chain = self.rng, self.model.titles
        for attempt in range(100):
            ids = chain.walk(rng, max(2, length), max(2, length - 1), anchor, TITLE_STAY)
            tokens = self.text(chain, ids)
            while len(tokens) > 2 and (
                tokens[-1].lower() in STOPWORDS or tokens[-1].endswith((":", ",", "-"))
            ):
                tokens.pop()
            tokens[-1] = tokens[-1].rstrip(":,")
            if attempt > 3:
                tokens.append(self.model.name_words[int(rng.random() * len(self.model.name_words))])
            title = " ".join(tokens)
            key = normalise_title(title)
            digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
            if key and digest not in self.titles_seen:
                self.titles_seen.add(digest)
                return title
        raise RuntimeError("no unique title in 100 attempts")

    def abstract(self, length: int, anchor: int) -> str:
        """An abstract of about `length` words near real abstract `anchor`, ending a sentence."""
        rng, chain = self.rng, self.model.abstracts
        target = max(20, int(length * rng.uniform(0.82, 1.0)))
        ids = chain.walk(rng, target, int(target * 0.85), anchor, ABSTRACT_STAY)
        chain.finish(rng, ids)
        words = self.text(chain, ids)
        if not words[-1].endswith("."):
            words[-1] = words[-1].rstrip(",;:") + "."
        return " ".join(words)

    def summary(self, length: int, anchor: int) -> str:
        """A one-sentence AI summary of about `length` words near real summary `anchor`."""
        chain = self.model.summaries
        ids = chain.walk(self.rng, max(8, length), max(6, int(length * 0.8)), anchor, ABSTRACT_STAY)
        chain.finish(self.rng, ids, limit=15)
        text = " ".join(self.text(chain, ids))
        return text if text.endswith(".") else text.rstrip(",;:") + "."

    def pick(self, items: Sequence[str]) -> str:
        """One of `items`, uniformly."""
        return items[int(self.rng.random() * len(items))]

    def repository(self, title: str) -> tuple[str, str]:
        """A GitHub URL and a project page URL named after the title's words."""
        head, colon, _ = title.partition(":")
        name = _SLUG.sub("", head) if colon and len(head.split()) <= 3 else ""
        name = name or self.pick(self.model.name_words) + self.pick(self.model.name_words)
        handle = self.pick(self.model.name_words).lower() + str(int(self.rng.random() * 100))
        return f"https://github.com/{handle}/{name}", f"https://{handle}.github.io/{name.lower()}/"

    def arxiv_id(self, published: date) -> str:
        """A new arXiv id of the publication month: `YYMM.NNNNN` (`YYMM.NNNN` before 2015)."""
        month = f"{published.year % 100:02d}{published.month:02d}"
        number = self.arxiv_next.get(month, 1)
        self.arxiv_next[month] = number + 1
        return f"{month}.{number:05d}" if published.year >= 2015 else f"{month}.{number:04d}"

    def paper(self, day: date, position: float) -> dict[str, Any]:
        """A new paper on the daily page of `day`, as an API record; `position` (0 to 1) is how
        far `day` is through the corpus's span: the template and anchor texts come from the
        real day as far through the archive, so topics and upvotes drift over time as the
        real ones do."""
        rng, model = self.rng, self.model
        members = model.day_members[
            min(len(model.day_members) - 1, int(position * len(model.day_members)))
        ]
        anchor = members[int(rng.random() * len(members))]
        tpl = model.templates[anchor]
        title = self.title(tpl["title_words"], anchor)
        abstract = self.abstract(tpl["abstract_words"], anchor)
        github, page = self.repository(title)
        if rng.random() < model.url_rate:
            abstract += f" Code is available at {github if tpl['github'] else page}."
            self.new_words += 2  # the link's handle and repository name: new words mostly
        published = day - timedelta(days=tpl["lag_days"])
        stamp = f"{published.isoformat()}T{int(rng.random() * 24):02d}:00:00.000Z"
        names = [
            f"{self.pick(model.first_names)} {self.pick(model.last_names)}"
            for _ in range(tpl["authors"])
        ]
        return {
            "arxiv_id": self.arxiv_id(published),
            "title": title,
            "abstract": abstract,
            "published_at": stamp,
            "submitted_on_daily_at": f"{day.isoformat()}T08:00:00.000Z"
            if tpl["submitted"]
            else None,
            "daily_page": day.isoformat(),
            "upvotes": tpl["upvotes"],
            "comments": tpl["comments"],
            "authors": tpl["authors"],
            "author_names": names,
            "org_handle": tpl["org_handle"],
            "org": tpl["org"],
            "github_repo": github if tpl["github"] else None,
            "github_stars": tpl["github_stars"] if tpl["github"] else None,
            "project_page": page if tpl["project_page"] else None,
            "ai_summary": self.summary(tpl["summary_words"], anchor)
            if tpl["summary_words"]
            else None,
            "ai_keywords": None,
        }
