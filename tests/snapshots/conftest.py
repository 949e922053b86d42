"""Fixtures for the snapshot tests: fixed data (the sample library, indexed once per session and
copied per test; a small library of CJK and accented titles), no cursor blink, no real browser,
no settings file. Apps are built by the app's own factory, `make_browser`."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.paths import sample_dir
from paperbrowse.sources import collect_sources
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser, make_browser
from tests.indexing import index_into

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
# Titles in scripts whose characters are not one cell each: CJK (two cells), combining accents
# (none), mixed with Latin; and organisations in CJK.
WIDE_CARDS = [
    ("大規模言語モデルによる論文推薦の評価と分析", "清华大学 tsinghua", "May 9, 2022"),
    (
        "Cre\u0301ation de mode\u0300les pour l'e\u0301valuation des re\u0301sume\u0301s "
        "scientifiques",
        "  • 4 authors",
        "May 8, 2022",
    ),
    ("基于扩散模型的图像生成：A Survey of Diffusion Models", "北京大学 pku", "May 7, 2022"),
    ("Ångström-scale Façade Détection with Naïve Transformers", "  • 2 authors", "May 6, 2022"),
    (
        "A Plain Latin Title About Efficient Architecture Search",
        "DeepSeek deepseek-ai",
        "May 5, 2022",
    ),
    ("한국어 논문 요약을 위한 대규모 언어 모델 평가", "  • 7 authors", "May 4, 2022"),
]


def _index(dumps: list[str], data_dir: Path) -> Path:
    sources, problems = collect_sources(dumps)
    assert not problems
    library = Library(data_dir)
    assert not index_into(library, sources).failures
    library.close()
    return data_dir


@pytest.fixture(scope="session")
def snapshot_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample dumps indexed once per session. Never written to: tests use copies."""
    return _index([str(sample_dir())], tmp_path_factory.mktemp("snapshot-sample") / "data")


@pytest.fixture(scope="session")
def snapshot_wide_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small library of CJK, Korean and accented titles (see WIDE_CARDS)."""
    base = tmp_path_factory.mktemp("snapshot-wide")
    body = "".join(
        f"{title}\n\nAn abstract for the paper called {title}.\n\n{byline}\n·\n{when}\n\n"
        for title, byline, when in WIDE_CARDS
    )
    dump = base / "wide.txt"
    dump.write_text(HEADER + body, "utf-8")
    return _index([str(dump)], base / "data")


@pytest.fixture
def make_app(
    snapshot_sample_dir: Path, snapshot_wide_dir: Path, tmp_path: Path, isolated_dirs: Path
) -> Iterator[Callable[..., PaperBrowser]]:
    """Build a deterministic browser: `make_app(filters=None, empty=False, wide=False,
    theme=None, settings=None)`; `settings`: the text of a settings file to start with (saved
    views), else none is read or written."""
    opened: list[tuple[Library, TriageStore]] = []

    def build(
        filters: Filters | None = None,
        *,
        empty: bool = False,
        wide: bool = False,
        theme: str | None = None,
        settings: str | None = None,
    ) -> PaperBrowser:
        data_dir = tmp_path / f"data{len(opened)}"
        if settings is not None:
            config = isolated_dirs / "config" / "paperbrowse" / "config.toml"
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(settings, "utf-8")
        if not empty:
            shutil.copytree(snapshot_wide_dir if wide else snapshot_sample_dir, data_dir)

        def no_browser(url: str) -> None:
            raise AssertionError(f"a snapshot test opened {url}")

        app = make_browser(
            data_dir,
            filters,
            opener=no_browser,
            cursor_blink=False,
            use_settings=settings is not None,
            theme=theme,
        )
        opened.append((app.library, app.triage))
        return app

    yield build
    for library, triage in opened:
        library.close()
        triage.close()
