"""The synthetic dump generator: deterministic, the real page layouts, the requested papers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import GenerateSummary, generate  # noqa: E402
from paperbrowse.models import normalise_title  # noqa: E402

SAMPLES = sorted((ROOT / "paperbrowse" / "sample").glob("*.txt"))
DATE_LINE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2})(?:, (\d{4}))?(?: (\d+))?$")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PAPERS = 1200


@dataclass
class Page:
    """A dump read by its block structure alone, independently of paperbrowse.pages."""

    chrome: list[str]
    page_date: str
    papers: list[tuple[str, str, list[str] | None]]  # title, abstract, metadata lines

    @property
    def listing(self) -> bool:
        return "Daily Papers" in self.chrome


def read_page(path: Path) -> Page:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    end = blocks.index("byAK and the research community") + 1
    rest = blocks[end + 1 :]
    papers: list[tuple[str, str, list[str] | None]] = []
    i = 0
    while i < len(rest):
        title, abstract = rest[i], rest[i + 1]
        i += 2
        meta = None
        if i < len(rest) and "\n" in rest[i]:
            meta = rest[i].split("\n")
            i += 1
        papers.append((title, abstract, meta))
    return Page(blocks[:end], blocks[end], papers)


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.txt"))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    out = tmp_path_factory.mktemp("corpus")
    return out, generate(out, PAPERS, seed=3, page_size=60)


def test_reader_matches_the_fixture_counts() -> None:
    # The structural reader the other tests rely on agrees with the counts in shared/README.md.
    counts = {p.name[:3]: len(read_page(p).papers) for p in SAMPLES}
    assert counts == {"000": 68, "001": 86, "004": 137}
    assert sum(1 for _, _, m in read_page(SAMPLES[2]).papers if m) == 128


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 600, seed=11)
    second = generate(tmp_path / "b", 600, seed=11)
    other = generate(tmp_path / "c", 600, seed=12)
    assert first == second
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert files_of(tmp_path / "a") != files_of(tmp_path / "c")
    assert other.distinct == 600


def test_cli_output_does_not_depend_on_hash_randomisation(tmp_path: Path) -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        args = ["--papers", "300", "--out", str(out), "--seed", "5", "--page-size", "40"]
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert re.match(r"wrote \d+ files, \d+ papers, 300 distinct", done.stdout)
        assert done.stdout.count("\n") == 1
        outputs.append(files_of(out))
    generate(tmp_path / "in_process", 300, seed=5, page_size=40)
    assert outputs[0] == outputs[1] == files_of(tmp_path / "in_process")


def test_requested_distinct_papers_with_duplicates(corpus: tuple[Path, GenerateSummary]) -> None:
    out, summary = corpus
    pages = [read_page(p) for p in sorted(out.glob("*.txt"))]
    titles = [normalise_title(t) for page in pages for t, _, _ in page.papers]
    assert summary.files == len(pages)
    assert summary.papers_written == len(titles)
    assert summary.distinct == len(set(titles)) == PAPERS
    # About 10% of the papers come back on a later page.
    assert 0.05 * PAPERS < len(titles) - PAPERS < 0.25 * PAPERS
    names = [p.name for p in sorted(out.glob("*.txt"))]
    assert names == [f"gen_{i:05d}.txt" for i in range(len(names))]


def test_dumps_parser_reads_every_paper(corpus: tuple[Path, GenerateSummary]) -> None:
    dumps = pytest.importorskip("paperbrowse.pages")
    out, summary = corpus
    papers = []
    for path in sorted(out.glob("*.txt")):
        result = dumps.parse_file(path)
        if read_page(path).listing:  # search pages take their year from the clock: may warn
            assert not result.warnings, result.warnings
        papers.extend(result.papers)
    assert len(papers) == summary.papers_written
    assert len({normalise_title(p.title) for p in papers}) == PAPERS


def test_both_layouts_with_the_real_chrome(corpus: tuple[Path, GenerateSummary]) -> None:
    out, _ = corpus
    real = {read_page(p).listing: read_page(p).chrome for p in SAMPLES}
    pages = [read_page(p) for p in sorted(out.glob("*.txt"))]
    listing = [p for p in pages if p.listing]
    search = [p for p in pages if not p.listing]
    assert listing and search
    assert all(p.chrome == real[True] for p in listing)
    assert all(p.chrome == real[False] for p in search)
    assert all(meta is None for p in search for _, _, meta in p.papers)
    assert pages[-1].page_date == "Nov 13"
    for page in pages:
        match = DATE_LINE.match(page.page_date)
        assert match and match.group(3) is None and match.group(4) is None


def test_blank_line_structure_like_the_real_files(corpus: tuple[Path, GenerateSummary]) -> None:
    out, _ = corpus
    for path in [*SAMPLES, *sorted(out.glob("*.txt"))]:
        text = path.read_text(encoding="utf-8")
        assert "\n\n\n" not in text and not text.endswith("\n") and "\r" not in text
        page = read_page(path)
        for title, abstract, _ in page.papers:
            assert title == title.strip() and "\n" not in title
            assert abstract == abstract.strip() and "\n" not in abstract


def test_listing_metadata_is_realistic(corpus: tuple[Path, GenerateSummary]) -> None:
    out, _ = corpus
    orgs = authors = without = commented = 0
    for page in (read_page(p) for p in sorted(out.glob("*.txt"))):
        if not page.listing:
            continue
        month, day = page.page_date.split()
        page_md = (MONTHS.index(month) + 1, int(day))
        explicit_years = []
        for _, _, meta in page.papers:
            if meta is None:
                without += 1
                continue
            who, dot, when = meta
            assert dot == "\u00b7"
            author_match = re.fullmatch(r"  \u2022 (\d+) authors", who)
            if author_match:
                authors += 1
                assert 1 <= int(author_match.group(1)) <= 50
            else:
                orgs += 1
                assert re.fullmatch(r"\S+ \S.*", who)
            match = DATE_LINE.match(when)
            assert match, when
            md = (MONTHS.index(match.group(1)) + 1, int(match.group(2)))
            if match.group(3):
                explicit_years.append(int(match.group(3)))
            else:
                assert md <= page_md  # in the page's own year, so not after the page date
            if match.group(4):
                commented += 1  # the number after the date: comments
                assert int(match.group(4)) >= 1
        # The page year is inferable: largest explicit year + 1, within the generated range.
        assert explicit_years and min(explicit_years) >= 2015
        assert 2024 <= max(explicit_years) + 1 <= 2026
    assert authors and orgs and without and commented
    assert orgs < authors / 5


def test_links_in_about_forty_percent_of_abstracts(corpus: tuple[Path, GenerateSummary]) -> None:
    out, _ = corpus
    abstracts = [a for p in sorted(out.glob("*.txt")) for _, a, _ in read_page(p).papers]
    linked = [a for a in abstracts if "https://" in a]
    assert 0.3 < len(linked) / len(abstracts) < 0.5
    assert any("https://github.com/" in a for a in linked)
    assert any(re.search(r"https://github\.com/\S+/\S+\.( |$)", a) for a in linked)


def test_page_sizes_vary_around_the_requested_size(tmp_path: Path) -> None:
    summary = generate(tmp_path, 2000, seed=1, page_size=50)
    sizes = [len(read_page(p).papers) for p in sorted(tmp_path.glob("*.txt"))]
    assert 25 <= len(sizes) <= 60
    assert min(sizes[:-1]) >= 0.3 * 50 and max(sizes) <= 2 * 50
    assert max(sizes) - min(sizes[:-1]) > 20
    assert sum(sizes) == summary.papers_written


def test_rerun_replaces_an_earlier_corpus(tmp_path: Path) -> None:
    generate(tmp_path, 1000, seed=2, page_size=50)
    generate(tmp_path, 100, seed=2, page_size=50)
    titles = {normalise_title(t) for p in tmp_path.glob("*.txt") for t, _, _ in read_page(p).papers}
    assert len(titles) == 100
