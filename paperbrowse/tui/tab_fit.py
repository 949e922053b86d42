"""Fitting the view tabs into the room the filter bar leaves them, so that no tab is ever cut
in the middle of its label or loses its count: labels are measured in terminal cells
(`rich.cells.cell_len`: wide and zero-width characters count as the terminal draws them),
then, in this order, until they fit:

1. every label in full (`1 Inbox 12,345`);
2. every count of five digits or more shortened the same way (`12k`, `1.2M`: floored, so a
   tab never claims more papers than its view holds);
3. whole tabs left out, the last ones first (saved views, then Hidden, All, …), never the
   active one; their keys (0-9) and the palette still open them;
4. a single tab still wider than the room (a long saved view's name): its name cut with `…`,
   its count kept (`7 reinforcement le… 437`).

Pure functions, no Textual: the filter bar applies the result (filter_bar.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

TAB_PAD = 2  # cells a tab adds to its label (one each side: Textual's Tab padding)
_TRAILING_COUNT = re.compile(r" (\d{1,3}(?:,\d{3})+)$")
_COUNT_TOKEN = re.compile(r" (\d[\d,]*(?:\.\d)?[kM]?)$")  # a count as shown, short or not


def short_count(count: int) -> str:
    """`count` in at most 5 cells: as written below 10,000 (`9,999`), else floored thousands
    or millions (`12k`, `999k`, `1.2M`, `12M`)."""
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count // 1000}k"
    if count < 10_000_000:
        return f"{count // 100_000 / 10:.1f}M"
    return f"{count // 1_000_000}M"


def short_label(label: str) -> str:
    """`label` with its trailing count shortened (`short_count`); as it is without one."""
    found = _TRAILING_COUNT.search(label)
    if found is None:
        return label
    count = int(found.group(1).replace(",", ""))
    return f"{label[: found.start()]} {short_count(count)}"


def strip_width(labels: Sequence[str]) -> int:
    """Cells a tab strip of `labels` takes."""
    return sum(cell_len(label) + TAB_PAD for label in labels)


def fit_tabs(tabs: Sequence[tuple[str, str]], room: int, active: str | None) -> dict[str, str]:
    """The tabs to show in `room` cells: {tab id: label} for each tab (tab id, full label) of
    `tabs` that is shown, in their order; a tab left out is absent. The `active` tab is always
    shown (cut with `…` when it alone is wider than the room)."""
    full = dict(tabs)
    if strip_width(list(full.values())) <= room:
        return full
    short = {tab_id: short_label(label) for tab_id, label in tabs}
    if strip_width(list(short.values())) <= room:
        return short
    shown = dict(short)
    for tab_id in reversed(list(short)):
        if strip_width(list(shown.values())) <= room:
            break
        if tab_id != active and len(shown) > 1:
            del shown[tab_id]
    if strip_width(list(shown.values())) > room and len(shown) == 1:
        ((tab_id, label),) = shown.items()
        shown[tab_id] = cut_label(label, max(room - TAB_PAD, 1))
    return shown


def cut_label(label: str, cells: int) -> str:
    """`label` in at most `cells` terminal cells: as it is when it fits; else its name cut
    with `…` and its trailing count kept (`7 reinforcement le… 437`), or, when not even the
    count and one character of the name fit, the label itself cut with `…`."""
    if cell_len(label) <= cells:
        return label
    found = _COUNT_TOKEN.search(label)
    if found is not None:
        tail = label[found.start() :]
        head_cells = cells - cell_len(tail) - 1  # the `…`
        if head_cells >= 1:
            return set_cell_size(label[: found.start()], head_cells).rstrip() + "…" + tail
    return set_cell_size(label, max(cells - 1, 0)).rstrip() + "…"
