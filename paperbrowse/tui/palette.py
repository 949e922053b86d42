"""The command palette, safe against keys that arrive faster than it can show its results.

Textual's `CommandPalette` gathers its matches in a worker and replaces the list when they are
in; until then the list still shows the matches for older text. Typed in one burst, `Ctrl+P r e
a d Enter` would run the first entry of the old list. Here Enter runs the highlighted entry only
when the list shows the results for the text as typed; before that it waits for them and runs
the best match (the first entry, matches being sorted by score), or nothing when none match.

It also makes the palette's other races harmless: page keys before the list has any options
(or has laid them out) do nothing, a second dismiss (Enter then Esc in one burst) does not pop
the screen below, and text or Enter that arrives after the palette closed starts no search.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from textual import on
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList
from textual.worker import Worker, WorkerState


class PaperPalette(CommandPalette):
    """Textual's command palette with Enter bound to the results of the text as typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed = ""  # the input's text (stripped), as the palette searches it
        self._shown: str | None = None  # the text whose complete results the list shows
        self._enter_waiting = False  # Enter came before the results for `_typed`
        self._dismissed = False  # dismiss() was called: everything after it is ignored

    # -- the list is current only when the search for the typed text has finished -------------

    @on(Input.Changed)
    def _note_typed(self, event: Input.Changed) -> None:
        if self._dismissed or not self.is_active:  # typed after Esc/Enter in the same burst
            event.prevent_default()
            event.stop()
            return
        self._typed = event.value.strip()
        self._shown = None
        self._enter_waiting = False  # Enter was for older text; this text is not confirmed

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A search of this palette ended: when it was the last one, the list is current."""
        if event.worker.node is not self or event.state != WorkerState.SUCCESS:
            return
        waiting = (WorkerState.PENDING, WorkerState.RUNNING)
        if any(w.node is self and w.state in waiting for w in self.workers):
            return  # a newer search (for newer text) is on its way
        self._shown = self._typed
        if self._enter_waiting:
            self._enter_waiting = False
            self._run_best_match()

    @property
    def current(self) -> bool:
        """True when the list shows the complete results for the text as typed."""
        return self._shown == self._typed

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if self._dismissed or not self.is_active:
            event.prevent_default()
            event.stop()
        elif not self.current:
            event.prevent_default()  # not Textual's handler: it would run a stale entry
            event.stop()
            self._enter_waiting = True

    @on(OptionList.OptionSelected)
    def _selected_after_close(self, event: OptionList.OptionSelected) -> None:
        if self._dismissed or not self.is_active:
            event.prevent_default()
            event.stop()

    def _run_best_match(self) -> None:
        commands = self.query_one(CommandList)
        if not commands.option_count or commands.get_option_at_index(0).disabled:
            return  # nothing matches: stay, the palette says so
        commands.highlighted = 0
        commands.action_select()

    # -- keys and closing ----------------------------------------------------------------------

    def action_page(self, direction: int) -> None:
        """Page through the matches; nothing while there are none (or none laid out yet)."""
        lists = self.query(CommandList)
        if not lists or not lists.first().option_count:
            return
        commands = lists.first()
        # Textual's OptionList pages by its laid-out lines, which lag behind options that
        # arrived in the same burst as the key (KeyError): then the key does nothing.
        with suppress(KeyError, IndexError):
            commands.action_page_down() if direction > 0 else commands.action_page_up()  # type: ignore[no-untyped-call]  # unannotated in Textual

    def dismiss(self, result: None = None) -> AwaitComplete:
        """Close the palette once; a second request (Enter and Esc in one burst) is a no-op
        instead of popping the screen below."""
        if self._dismissed or not self.is_active:
            return AwaitComplete()
        self._dismissed = True
        self._enter_waiting = False
        return super().dismiss(result)
