"""The list's cell arithmetic: columns for a width, titles cut and padded in terminal cells."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from paperbrowse.models import COMMENT, UPVOTE
from paperbrowse.tui.list_cells import TITLE_MIN, Columns, count_cell, fit_cells

CJK = "大規模言語モデルによる論文推薦の評価と分析"
ACCENT = "Cre\u0301ation de mode\u0300les"  # decomposed: e + U+0301


@pytest.mark.parametrize("width", [20, 40, 59, 60, 79, 80, 100, 131, 200])
def test_columns_fill_the_width_and_keep_the_title_first(width: int) -> None:
    cols = Columns.fit(width)
    used = 15 + cols.title
    used += (cols.upvotes + 1 if cols.upvotes else 0) + (cols.comments + 1 if cols.comments else 0)
    used += cols.byline + 1 if cols.byline else 0
    assert used == width or cols.title == 1
    if width >= 15 + TITLE_MIN:
        assert cols.title >= TITLE_MIN


def test_at_80_columns_every_column_fits_beside_a_40_cell_title() -> None:
    cols = Columns.fit(79)  # 80 columns less the scrollbar
    assert cols.title >= 40 and cols.upvotes and cols.comments and cols.byline >= 9


@pytest.mark.parametrize("text", [CJK, ACCENT, "Plain", "", "x" * 100, CJK + " tail"])
@pytest.mark.parametrize("width", [1, 5, 9, 10, 40])
def test_fit_cells_is_exactly_the_width(text: str, width: int) -> None:
    fitted = fit_cells(text, width)
    assert cell_len(fitted) == width
    if cell_len(text) > width:
        assert fitted.rstrip().endswith("…")


def test_fit_cells_composes_accents_and_drops_controls() -> None:
    assert fit_cells(ACCENT, 20).rstrip() == "Création de modèles"
    assert fit_cells("a\x1b[2Jb\x07", 3) == "ab "


def test_count_cells() -> None:
    assert count_cell(UPVOTE, 7) == "   ▲7"
    assert count_cell(UPVOTE, 1234) == "▲1234"
    assert count_cell(UPVOTE, 123456) == "▲123k"
    assert count_cell(COMMENT, 12) == " 💬12"
    assert cell_len(count_cell(COMMENT, 99999)) == 5
    assert count_cell(UPVOTE, None) == "     "
