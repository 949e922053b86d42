"""Pasted text stays text: the escape characters inside a bracketed paste are dropped.

A terminal in bracketed-paste mode sends a paste as `ESC[200~ text ESC[201~`. Textual 8's input
parser reads an ESC inside the text as the start of a key sequence and, when the sequence is
none it knows, reissues the characters after it as key presses: pasting
`diffusion ESC[31m TAB r` into the filter moved the focus to the list and marked a paper read
(found by a user pasting text copied from a coloured terminal dump). Terminals that filter
pastes drop the ESC themselves (Alacritty, kitty); tmux's `paste-buffer -p` does not. Here the
driver's parser gets each paste's text without its ESC characters, so the parser hands it on as
one Paste event, which the filter cleans like typed text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.drivers import linux_driver

ESC = "\x1b"
# The class Textual's Linux driver reads its input with (its module's name for it).
TEXTUAL_PARSER: Any = linux_driver.__dict__["XTermParser"]
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


class PasteGuard:
    """Filters the terminal's input as it is read, chunk by chunk (markers may be split
    across chunks): outside a paste every character passes; inside, the end marker passes
    and every other ESC is dropped (the characters after it stay, as pasted text)."""

    def __init__(self) -> None:
        self.inside = False
        self._recent = ""  # the last characters outside a paste: a start marker split by reads
        self._held = ""  # inside a paste: what may be the start of the end marker

    def __call__(self, data: str) -> str:
        """`data` (a chunk of decoded input) with the ESC characters inside pastes removed;
        a possible end marker cut by the chunk's end is held until the next chunk."""
        out: list[str] = []
        text, i = data, 0
        while i < len(text):
            ch = text[i]
            i += 1
            if not self.inside:
                out.append(ch)
                self._recent = (self._recent + ch)[-len(PASTE_START) :]
                if self._recent == PASTE_START:
                    self.inside, self._recent = True, ""
                continue
            if self._held:
                candidate = self._held + ch
                if PASTE_END.startswith(candidate):
                    self._held = candidate
                    if candidate == PASTE_END:
                        out.append(PASTE_END)
                        self._held, self.inside = "", False
                    continue
                # Not the end marker: its ESC was pasted text (dropped), the rest is read again.
                self._held = ""
                text, i = candidate[1:] + text[i:], 0
                continue
            if ch == ESC:
                self._held = ESC
            else:
                out.append(ch)
        return "".join(out)


class PasteGuardedParser(TEXTUAL_PARSER):  # type: ignore[misc]  # an Any base: see TEXTUAL_PARSER
    """Textual's input parser, fed through a PasteGuard."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = PasteGuard()

    def feed(self, data: str) -> Iterable[Any]:
        """The parser's events for `data` without the ESC characters inside pastes ("" still
        ends the input, as in Textual; a chunk that was all held back yields nothing)."""
        if not data:
            return super().feed(data)  # type: ignore[no-any-return]
        guarded = self._guard(data)
        return super().feed(guarded) if guarded else ()


def install() -> None:
    """Make Textual's Linux driver read input through PasteGuardedParser (its input thread
    looks the parser class up in its module when it starts). Idempotent."""
    linux_driver.__dict__["XTermParser"] = PasteGuardedParser
