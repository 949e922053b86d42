"""PasteGuard: the ESC characters inside a bracketed paste are dropped, whatever the chunks."""

from __future__ import annotations

import pytest

from paperbrowse.tui.paste_guard import PASTE_END, PASTE_START, PasteGuard


def guarded(*chunks: str) -> str:
    guard = PasteGuard()
    return "".join(guard(chunk) for chunk in chunks)


def test_input_outside_a_paste_passes_unchanged() -> None:
    keys = "jj\x1b[A\x1bq/pose\x1b"  # arrows, Alt+q, a lone Escape
    assert guarded(keys) == keys


def test_escapes_inside_a_paste_are_dropped_and_the_markers_kept() -> None:
    pasted = f"{PASTE_START}diffusion\x1b[31m\tr\x1b[0m{PASTE_END}jj"
    assert guarded(pasted) == f"{PASTE_START}diffusion[31m\tr[0m{PASTE_END}jj"


@pytest.mark.parametrize("cut", range(1, 40))
def test_markers_split_across_reads_are_still_found(cut: int) -> None:
    stream = f"x{PASTE_START}a\x1b[1mb\x1b\x1b{PASTE_END}\x1b[B"
    expected = f"x{PASTE_START}a[1mb{PASTE_END}\x1b[B"
    assert guarded(stream[:cut], stream[cut:]) == expected
    assert guarded(*stream) == expected  # one character a read


def test_a_paste_ending_in_escape_characters_still_ends() -> None:
    guard = PasteGuard()
    assert guard(f"{PASTE_START}text\x1b") == f"{PASTE_START}text"  # held: maybe the end
    assert guard("\x1b[201~q") == f"{PASTE_END}q"
    assert not guard.inside
