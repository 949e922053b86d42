"""The view tabs' fitting (paperbrowse/tui/tab_fit.py): labels measured in terminal cells,
counts shortened alike, then whole tabs left out, never the active one."""

from __future__ import annotations

from rich.cells import cell_len

from paperbrowse.tui.tab_fit import cut_label, fit_tabs, short_count, short_label, strip_width

TABS = [
    ("foryou", "0 For you"),
    ("inbox", "1 Inbox 123,456"),
    ("starred", "2 Starred 12"),
    ("all", "3 All 1,234,567"),
    ("hidden", "4 Hidden 9,999"),
    ("saved-0", "5 扩散模型 10,000"),  # CJK: two cells a character
]


def test_short_counts_are_floored_never_more_than_the_view_holds() -> None:
    assert [short_count(n) for n in (0, 9_999, 10_000, 12_999, 999_999)] == [
        "0",
        "9,999",
        "10k",
        "12k",
        "999k",
    ]
    assert [short_count(n) for n in (1_000_000, 1_299_999, 12_345_678)] == ["1.0M", "1.2M", "12M"]
    assert short_label("5 top 10,000 …") == "5 top 10,000 …"  # no count yet: as it is
    assert short_label("0 For you") == "0 For you"


def test_labels_that_fit_are_kept_whole() -> None:
    room = sum(cell_len(label) + 2 for _, label in TABS)
    assert fit_tabs(TABS, room, "inbox") == dict(TABS)


def test_counts_are_shortened_alike_before_a_tab_is_left_out() -> None:
    short = {tab_id: short_label(label) for tab_id, label in TABS}
    assert short["inbox"] == "1 Inbox 123k" and short["all"] == "3 All 1.2M"
    assert short["hidden"] == "4 Hidden 9,999" and short["saved-0"] == "5 扩散模型 10k"
    assert fit_tabs(TABS, strip_width(list(short.values())), "all") == short


def test_whole_tabs_are_left_out_from_the_end_but_never_the_active_one() -> None:
    short = {tab_id: short_label(label) for tab_id, label in TABS}
    room = strip_width([short["foryou"], short["inbox"], short["saved-0"]])
    shown = fit_tabs(TABS, room, "saved-0")
    assert list(shown) == ["foryou", "inbox", "saved-0"]
    assert strip_width(list(shown.values())) <= room


def test_an_active_tab_wider_than_the_room_is_cut_with_an_ellipsis() -> None:
    shown = fit_tabs(TABS, 8, "saved-0")
    assert list(shown) == ["saved-0"]
    assert "…" in shown["saved-0"] and shown["saved-0"].endswith(" 10k")  # its count kept
    assert strip_width(list(shown.values())) <= 8


def test_a_long_view_name_is_cut_but_its_count_kept() -> None:
    """A saved view named "reinforcement learning agents" holding 437 papers, opened at 80
    columns with room for 20 cells: the count is what the tab is for, so the name gives way."""
    tabs = [("foryou", "0 For you"), ("saved-2", "7 reinforcement learning agents 437")]
    shown = fit_tabs(tabs, 22, "saved-2")
    assert list(shown) == ["saved-2"]
    label = shown["saved-2"]
    assert label.startswith("7 reinf") and label.endswith("… 437")
    assert strip_width([label]) <= 22
    assert cut_label("5 扩散模型扩散模型 10k", 12).endswith("… 10k")  # CJK: two cells each
    assert cell_len(cut_label("5 扩散模型扩散模型 10k", 12)) <= 12
    assert cut_label("3 All 1,234", 4) == "3 A…"  # no room for the count: the label is cut
