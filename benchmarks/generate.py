"""Deterministic synthetic Daily Papers dumps, in the two page layouts of the real ones.

Word frequencies, bigrams and title/abstract lengths are learned at run time from the bundled
sample dumps (`paperbrowse/sample/*.txt`), so the text looks like the real thing; the page chrome,
blank-line structure and metadata blocks copy the real files exactly. Same seed and arguments give
byte-identical files: everything comes from one `random.Random(seed)`, nothing from the clock or
from hash order.

    python benchmarks/generate.py --papers 100000 --out /tmp/corpus [--seed 0] [--page-size 100]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout

from paperbrowse.models import normalise_title  # noqa: E402

SAMPLE_DIR = REPO_ROOT / "paperbrowse" / "sample"

# The chrome lines exactly as the real pages carry them, one blank line after each.
SEARCH_CHROME = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
)
LISTING_CHROME = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
)
LAST_PAGE_DATE = date(2026, 11, 13)
PAGE_DATE_SPAN_DAYS = 1000  # page dates fall in (LAST_PAGE_DATE - span, LAST_PAGE_DATE]
FIRST_YEAR = 2015
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ORGS = (
    "deepseek-ai DeepSeek",
    "google Google",
    "meta-llama Meta Llama",
    "Qwen Qwen",
    "nvidia NVIDIA",
    "microsoft Microsoft",
    "openbmb OpenBMB",
)

DUPLICATE_RATE = 0.10  # share of papers that appear again on a later page
REPEAT_AGAIN_RATE = 0.15  # share of those that appear a third time
LISTING_RATE = 0.5
NO_METADATA_RATE = 0.07  # papers on listing pages without a metadata block (9 of 137 in 004_)
ORG_RATE = 0.05
LINK_RATE = 0.40
PAGE_YEAR_RATE = 0.3  # papers published in the page's own year (dates shown without a year)

# Author counts: mostly 3-9 as in the fixtures, a long tail up to 50.
_AUTHOR_WEIGHTS = {1: 4, 2: 6, 3: 17, 4: 13, 5: 14, 6: 13, 7: 19, 8: 11, 9: 12, 10: 3, 11: 3, 12: 3}
AUTHOR_COUNTS = [*_AUTHOR_WEIGHTS, *range(13, 51)]
AUTHOR_WEIGHTS = [*_AUTHOR_WEIGHTS.values(), *([0.15] * 38)]

LINK_LEADS = (
    "Code is available at",
    "Our code is publicly available at",
    "Code and models are available at",
    "The code and pretrained models are released at",
    "Code:",
    "We release our code and data at",
    "Source code is available at:",
    "All code and checkpoints are open-sourced at",
)
HF_LEADS = ("Models are available at", "The dataset is released at", "Weights:")
PAGE_LEADS = ("Project page:", "See our project page at", "Demos are available at")
HANDLE_SUFFIXES = ("", "", "", "-lab", "-ai", "-group", "AI", "-research", "-nlp", "-cv")
STOPWORDS = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the")
    + ("to", "via", "with", "without", "towards")
)

_URL = re.compile(r"https?://|www\.")
_DATE_LINE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}(?:, \d{4})?(?: \d+)?$")
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate` wrote: files, paper blocks (duplicates included) and distinct papers."""

    files: int
    papers_written: int
    distinct: int


@dataclass
class _Paper:
    title: str
    abstract: str
    published: date
    authors: int
    org: str | None
    comments: int | None


class _Chain:
    """A bigram chain over tokens; a dead end (or the end of a real text) restarts at a start."""

    END = -1

    def __init__(
        self, texts: list[list[str]], sentence_starts: bool, skip: re.Pattern[str] | None = None
    ) -> None:
        """Learn from tokenised texts; tokens matching `skip` are left out and break the chain."""
        index: dict[str, int] = {}
        self.vocab: list[str] = []
        self.successors: list[list[int]] = []
        self.starts: list[int] = []  # first tokens of the texts
        self.restarts: list[int] = []  # where to go on from a dead end: text or sentence starts
        self.unigram: list[int] = []  # token ids with repetition: a frequency-weighted pool
        for tokens in texts:
            prev = self.END
            first = True
            for token in tokens:
                if skip is not None and skip.search(token):
                    if prev != self.END:
                        self.successors[prev].append(self.END)
                    prev = self.END
                    continue
                tid = index.get(token)
                if tid is None:
                    tid = index[token] = len(self.vocab)
                    self.vocab.append(token)
                    self.successors.append([])
                self.unigram.append(tid)
                if first:
                    self.starts.append(tid)
                    self.restarts.append(tid)
                elif prev != self.END:
                    self.successors[prev].append(tid)
                    if sentence_starts and self.vocab[prev].endswith(".") and token[:1].isupper():
                        self.restarts.append(tid)
                first = False
                prev = tid
            if prev != self.END:
                self.successors[prev].append(self.END)

    def walk(self, rng: random.Random, length: int, min_length: int, mix: float) -> list[int]:
        """About `length` token ids; an END is taken only past `min_length`.

        `mix` is the chance of jumping to a random word instead of following a bigram, which
        keeps a small corpus from being copied verbatim.
        """
        rand = rng.random
        restarts, successors, unigram = self.restarts, self.successors, self.unigram
        n_restarts, n_unigram = len(restarts), len(unigram)
        out: list[int] = []
        tid = self.starts[int(rand() * len(self.starts))]
        while len(out) < length:
            out.append(tid)
            nxt = successors[tid]
            if mix and rand() < mix:
                tid = unigram[int(rand() * n_unigram)]
                continue
            tid = nxt[int(rand() * len(nxt))] if nxt else self.END
            if tid == self.END:
                if len(out) >= min_length:
                    break
                tid = restarts[int(rand() * n_restarts)]
        return out


@dataclass
class _Model:
    titles: _Chain
    abstracts: _Chain
    title_lengths: list[int]
    abstract_lengths: list[int]
    name_words: list[str]  # title words usable in handles and repository names


def _sample_texts(sample_dir: Path) -> tuple[list[str], list[str]]:
    """Distinct (title, abstract) pairs of the sample dumps, read by their block structure."""
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted(sample_dir.glob("*.txt")):
        blocks = path.read_text(encoding="utf-8").split("\n\n")
        body = blocks[blocks.index(SEARCH_CHROME[-1]) + 2 :]
        i = 0
        while i + 1 < len(body):
            title, abstract = body[i], body[i + 1]
            i += 2
            if i < len(body) and "\n" in body[i]:  # the metadata block: author, "·", date
                i += 1
            seen.setdefault(normalise_title(title), (title, abstract))
    if not seen:
        raise SystemExit(f"no sample dumps with papers in {sample_dir}")
    return [t for t, _ in seen.values()], [a for _, a in seen.values()]


def _learn(sample_dir: Path) -> _Model:
    titles, abstracts = _sample_texts(sample_dir)
    title_tokens = [t.split() for t in titles]
    words = dict.fromkeys(
        w for tokens in title_tokens for w in (_SLUG.sub("", t) for t in tokens) if len(w) > 2
    )
    return _Model(
        titles=_Chain(title_tokens, sentence_starts=False),
        # Links are added separately, at a controlled rate: leave the real ones out.
        abstracts=_Chain([a.split() for a in abstracts], sentence_starts=True, skip=_URL),
        title_lengths=[len(t) for t in title_tokens],
        abstract_lengths=[len(a.split()) for a in abstracts],
        name_words=[w for w in words if w.lower() not in STOPWORDS],
    )


class _Writer:
    """Makes papers and pages from one random stream."""

    def __init__(self, model: _Model, rng: random.Random) -> None:
        self.model = model
        self.rng = rng
        self.seen: set[str] = set()  # membership only; never iterated, so hash order is harmless

    # ---- text ----------------------------------------------------------------------------

    def title(self) -> str:
        """A new title, unique by normalised form: redrawn a few times, then extended."""
        for _ in range(4):
            title = self.draft_title()
            key = normalise_title(title)
            if key and key not in self.seen:
                break
        base, n = title, 0
        while not key or key in self.seen:
            n += 1
            extra = self.rng.choice(self.model.name_words) if n <= 3 else str(n)
            title = f"{base} {extra}"
            key = normalise_title(title)
        self.seen.add(key)
        return title

    def draft_title(self) -> str:
        rng, chain = self.rng, self.model.titles
        length = rng.choice(self.model.title_lengths)
        while True:
            tokens = [chain.vocab[t] for t in chain.walk(rng, length, 3, mix=0.1)]
            while len(tokens) > 2 and (
                tokens[-1].lower() in STOPWORDS or tokens[-1].endswith((":", ",", "-"))
            ):
                tokens.pop()
            tokens[-1] = tokens[-1].rstrip(":,")
            title = " ".join(tokens)
            if (
                len(tokens) >= 2
                and tokens[-1].lower() not in STOPWORDS
                and not _DATE_LINE.match(title)
                and title not in LISTING_CHROME
            ):
                return title

    def abstract(self, title: str) -> str:
        rng, chain = self.rng, self.model.abstracts
        target = rng.choice(self.model.abstract_lengths)
        target = max(20, int(target * rng.uniform(0.85, 1.15)))
        ids = chain.walk(rng, target, int(target * 0.85), mix=0.0)
        words = [chain.vocab[t] for t in ids]
        # Finish the last sentence, as real abstracts do.
        tid = ids[-1]
        extra = 0
        while not words[-1].endswith(".") and extra < 40:
            nxt = chain.successors[tid]
            tid = nxt[int(rng.random() * len(nxt))] if nxt else _Chain.END
            if tid == _Chain.END:
                break
            words.append(chain.vocab[tid])
            extra += 1
        if not words[-1].endswith("."):
            words[-1] = words[-1].rstrip(",;:") + "."
        if rng.random() < LINK_RATE:
            sentence = self.link_sentence(title)
            ends = [i for i, w in enumerate(words[:-1]) if w.endswith(".")]
            if ends and rng.random() < 0.25:  # mid-abstract, after some sentence
                at = rng.choice(ends) + 1
                words[at:at] = [sentence]
            else:
                words.append(sentence)
        return " ".join(words)

    def link_sentence(self, title: str) -> str:
        rng = self.rng
        handle = self.handle()
        repo = self.repo_name(title)
        roll = rng.random()
        if roll < 0.75:
            lead, url = rng.choice(LINK_LEADS), f"https://github.com/{handle}/{repo}"
        elif roll < 0.88:
            kind = rng.choice(("", "", "datasets/"))
            lead, url = rng.choice(HF_LEADS), f"https://huggingface.co/{kind}{handle}/{repo}"
        else:
            lead = rng.choice(PAGE_LEADS)
            url = f"https://{handle.lower()}.github.io/{repo.lower()}/"
        form = rng.random()
        if form < 0.65:
            return f"{lead} {url}."
        if form < 0.85:
            return f"{lead} {url}"
        return f"Everything needed to reproduce the results is public ({url})."

    def handle(self) -> str:
        rng = self.rng
        word = rng.choice(self.model.name_words).lower()
        roll = rng.random()
        if roll < 0.3:
            return f"{word}{rng.randint(1, 2025)}"
        if roll < 0.5:
            return f"{word}-{rng.choice(self.model.name_words).lower()}"
        return word + rng.choice(HANDLE_SUFFIXES)

    def repo_name(self, title: str) -> str:
        head, colon, _ = title.partition(":")
        if colon and len(head.split()) <= 3:  # "Lite Pose: ..." -> LitePose
            name = _SLUG.sub("", head.replace(" ", ""))
            if name:
                return name
        words = self.model.name_words
        return _SLUG.sub("", self.rng.choice(words).capitalize() + self.rng.choice(words))

    # ---- metadata ------------------------------------------------------------------------

    def published(self, page_date: date, year: int | None = None) -> date:
        """A publication date no later than the page date, in `year` when given."""
        rng = self.rng
        page_year = page_date.year
        if year is None:
            if rng.random() < PAGE_YEAR_RATE:
                year = page_year
            else:
                years = range(FIRST_YEAR, page_year)
                year = rng.choices(years, weights=[(y - FIRST_YEAR + 1) ** 2 for y in years])[0]
        first = date(year, 1, 1)
        last = page_date if year == page_year else date(year, 12, 31)
        return first + timedelta(days=rng.randint(0, (last - first).days))

    def comments(self, published: date) -> int | None:
        """The comment count after a card's date (the select-all samples' rates)."""
        rng = self.rng
        if rng.random() >= (0.35 if published.year >= 2023 else 0.05):
            return None
        if rng.random() < 0.08:
            return rng.randint(10, 80)
        return min(9, 1 + int(rng.expovariate(0.45)))

    def paper(self, page_date: date) -> _Paper:
        rng = self.rng
        title = self.title()
        abstract = self.abstract(title)
        published = self.published(page_date)
        org = rng.choice(ORGS) if rng.random() < ORG_RATE else None
        authors = rng.choices(AUTHOR_COUNTS, weights=AUTHOR_WEIGHTS)[0]
        return _Paper(title, abstract, published, authors, org, self.comments(published))


def _date_line(published: date, page_year: int, comments: int | None) -> str:
    """ "May 2, 2022", or "Jun 10 9": the year only outside the page's year, then comments."""
    line = f"{MONTHS[published.month - 1]} {published.day}"
    if published.year != page_year:
        line += f", {published.year}"
    if comments:
        line += f" {comments}"
    return line


def _page_dates(rng: random.Random, pages: int) -> list[date]:
    """Sorted page dates ending on LAST_PAGE_DATE."""
    offsets = sorted(rng.randint(1, PAGE_DATE_SPAN_DAYS) for _ in range(pages - 1))
    return [LAST_PAGE_DATE - timedelta(days=d) for d in reversed(offsets)] + [LAST_PAGE_DATE]


def _page_sizes(rng: random.Random, papers: int, page_size: int) -> list[int]:
    """Fresh papers per page: about `page_size`, varied between 40% and 150% of it."""
    sizes: list[int] = []
    left = papers
    while left > 0:
        size = max(1, round(rng.triangular(0.4 * page_size, 1.5 * page_size, page_size) * 0.92))
        size = min(size, left)
        sizes.append(size)
        left -= size
    return sizes


def generate(out_dir: Path, papers: int, seed: int = 0, page_size: int = 100) -> GenerateSummary:
    """Write `papers` distinct synthetic papers as `gen_NNNNN.txt` pages into `out_dir`.

    About 10% of the papers appear again on a later page. Earlier `gen_*.txt` files in `out_dir`
    are removed first, so the directory holds exactly one corpus.
    """
    if papers < 0 or page_size < 1:
        raise ValueError("papers must be >= 0 and page_size >= 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.glob("gen_*.txt")):
        if re.fullmatch(r"gen_\d{5,}\.txt", old.name):
            old.unlink()

    rng = random.Random(seed)
    writer = _Writer(_learn(SAMPLE_DIR), rng)
    sizes = _page_sizes(rng, papers, page_size)
    dates = _page_dates(rng, len(sizes)) if sizes else []
    pending: dict[int, list[_Paper]] = {}  # page number -> papers due to reappear there
    written = 0
    last = len(sizes) - 1
    for page, (size, page_date) in enumerate(zip(sizes, dates, strict=True)):
        due = pending.pop(page, [])
        if page == last:  # whatever is still pending reappears on the last page
            for later in sorted(pending):
                due.extend(pending.pop(later))
        fresh = [writer.paper(page_date) for _ in range(size)]
        listing = page == 0 or (page != 1 and rng.random() < LISTING_RATE)

        entries: list[tuple[_Paper, bool, int | None]] = []  # paper, show metadata, comments
        for paper in fresh:
            entries.append((paper, rng.random() >= NO_METADATA_RATE, paper.comments))
            if page < last and rng.random() < DUPLICATE_RATE:
                pending.setdefault(page + rng.randint(1, 8), []).append(paper)
        for paper in due:
            comments = paper.comments + rng.randint(0, 3) if paper.comments else None
            entries.append((paper, rng.random() >= NO_METADATA_RATE, comments))
            if page < last and rng.random() < REPEAT_AGAIN_RATE:
                pending.setdefault(page + rng.randint(1, 8), []).append(paper)

        page_year = page_date.year
        if listing and not any(
            show and p.published.year == page_year - 1 for p, show, _ in entries
        ):
            # The page year is inferred as the largest explicit year + 1: make sure there is one.
            first = fresh[0]
            first.published = writer.published(page_date, year=page_year - 1)
            entries[0] = (first, True, entries[0][2])
        rng.shuffle(entries)

        blocks = [*(LISTING_CHROME if listing else SEARCH_CHROME)]
        blocks.append(f"{MONTHS[page_date.month - 1]} {page_date.day}")
        for paper, show, comments in entries:
            blocks.append(paper.title)
            blocks.append(paper.abstract)
            if listing and show:
                who = paper.org or f"  \u2022 {paper.authors} authors"
                when = _date_line(paper.published, page_year, comments)
                blocks.append(f"{who}\n\u00b7\n{when}")
        # Like the real dumps: one blank line between blocks, no newline at the end.
        (out_dir / f"gen_{page:05d}.txt").write_bytes("\n\n".join(blocks).encode("utf-8"))
        written += len(entries)
    return GenerateSummary(files=len(sizes), papers_written=written, distinct=papers)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a corpus and print a one-line summary."""
    parser = argparse.ArgumentParser(description="Write synthetic Daily Papers dumps.")
    parser.add_argument("--papers", type=int, required=True, help="distinct papers to write")
    parser.add_argument("--out", type=Path, required=True, help="directory for gen_*.txt")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--page-size", type=int, default=100, help="average papers per page (default 100)"
    )
    args = parser.parse_args(argv)
    if args.papers < 0:
        parser.error("--papers must be >= 0")
    if args.page_size < 1:
        parser.error("--page-size must be >= 1")
    started = time.perf_counter()
    summary = generate(args.out, args.papers, seed=args.seed, page_size=args.page_size)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {summary.files} files, {summary.papers_written} papers, "
        f"{summary.distinct} distinct to {args.out} in {elapsed:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
