"""The main screen's triage keys: mark (`space`, `*`), star (`s`), read (`r`), hide (`x`) and
undo (`u`, which undoes tag changes too: tui/annotate_actions.py builds on this mixin).

A mixin for `MainScreen`, which provides the attributes and methods declared below: the
highlighted paper, the marks, the triage store and undo stack, and `after_triage`, which brings
the list, the counts and the detail pane in line with a change. One flag per transaction: each
key is one `TriageStore.toggle`, undone as one `Change`; a tag edit is one `tags.TagChange`."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.screen import Screen

from paperbrowse.errors import LibraryError
from paperbrowse.library import Library
from paperbrowse.models import Paper
from paperbrowse.results import Results
from paperbrowse.tags import TagChange, undo_tags
from paperbrowse.triage import Change, TriageError, TriageStore
from paperbrowse.tui.paper_list import PaperList


class TriageActions(Screen[None]):
    """Marking papers and setting, clearing and undoing their triage flags."""

    marks: dict[str, None]  # insertion-ordered set of marked paper ids
    triage: TriageStore
    undo_stack: list[Change | TagChange]
    results: Results | None
    library: Library

    if TYPE_CHECKING:  # shown_results.ShownResults's

        @property
        def library_lock(self) -> threading.RLock: ...

    @property
    def current(self) -> Paper | None:
        """The highlighted paper (the main screen's)."""
        raise NotImplementedError

    @property
    def paper_list(self) -> PaperList:
        """The list pane (the main screen's)."""
        raise NotImplementedError

    def result_ids(self) -> list[str]:
        """The shown results' paper ids (the main screen's)."""
        raise NotImplementedError

    def update_status(self) -> None:
        """Redraw the status line (the main screen's)."""
        raise NotImplementedError

    def after_triage(self, ids: list[str], flag: str, follow: str | None = None) -> None:
        """Bring the panes in line with a triage change (the main screen's)."""
        raise NotImplementedError

    _triage_version: int | None = None  # state.db's data_version when last looked at

    def triage_changed_elsewhere(self) -> bool:
        """True when another connection committed to state.db since the last call: the CLI in
        another terminal (`paperbrowse star ID`), another browser. SQLite's `PRAGMA
        data_version` changes on other connections' commits only, so the browser's own keys do
        not count; it reads no table (cheap enough for the library watch's period). False on
        the first call (it sets the mark) and when state.db cannot be read."""
        try:
            with self.triage.reading() as db:
                version = int(db.execute("PRAGMA data_version").fetchone()[0])
        except TriageError:
            return False
        seen, self._triage_version = self._triage_version, version
        return seen is not None and seen != version

    def action_toggle_mark(self) -> None:
        paper = self.current
        if paper is None:
            return
        if paper.id in self.marks:
            del self.marks[paper.id]
        else:
            self.marks[paper.id] = None
        self.paper_list.refresh()
        self.paper_list.move(1)
        self.update_status()

    def action_mark_all(self) -> None:
        if self.results is None:
            return
        ids = self.result_ids()
        if ids and all(i in self.marks for i in ids):
            for i in ids:
                self.marks.pop(i, None)
        else:
            self.marks.update(dict.fromkeys(ids))
        self.paper_list.refresh()
        self.update_status()

    def _targets(self) -> list[str]:
        if self.marks:
            return list(self.marks)
        paper = self.current
        return [paper.id] if paper else []

    def change_flag(self, flag: str, value: bool | None = None) -> None:
        """Toggle `flag` on the marked papers, else the highlighted one (set it to `value` when
        given); one undoable change, and a notice of what changed."""
        ids = self._targets()
        if not ids:
            return
        try:
            if value is None:
                change = self.triage.toggle(ids, flag)
            else:
                change = self.triage.set(ids, flag, value)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._triage_notices()
        self.undo_stack.append(change)
        self.after_triage(ids, flag)
        what = f"{len(ids)} papers" if len(ids) > 1 else "paper"
        self.notify(f"{what} {'' if change.value else 'un'}{flag}", timeout=1.5)

    def action_star(self) -> None:
        self.change_flag("starred")

    def action_read(self) -> None:
        self.change_flag("read")

    def action_hide(self) -> None:
        self.change_flag("hidden")

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("nothing to undo", timeout=1.5)
            return
        change = self.ids_now(self.undo_stack.pop())
        if isinstance(change, TagChange):
            self.undo_tag_change(change)
            return
        try:
            self.triage.undo(change)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._triage_notices()
        ids = [pid for pid, _ in change.before]
        self.after_triage(ids, change.flag, follow=ids[0] if ids else None)
        verb = {"read": "read", "starred": "star", "hidden": "hide"}[change.flag]
        what = f"{len(ids)} papers" if len(ids) > 1 else "paper"
        self.notify(f"undone: {verb} ({what})", timeout=1.5)

    def ids_now(self, change: Change | TagChange) -> Change | TagChange:
        """`change` with each paper under the id the library gives it now: an `index` run
        since the change may have moved a paper to a new id (a re-worded title, an arXiv id
        gained), and its marks with it; the old id still finds it (`Library.get`)."""
        now: dict[str, str] = {}
        with self.library_lock:
            for pid, _ in change.before:
                try:
                    paper = self.library.get(pid)
                except LibraryError:
                    paper = None
                now[pid] = paper.id if paper is not None else pid
        if all(now[pid] == pid for pid in now):
            return change
        if isinstance(change, TagChange):  # two branches: `before` holds tags or a flag
            return replace(change, before=tuple((now[pid], v) for pid, v in change.before))
        return replace(change, before=tuple((now[pid], v) for pid, v in change.before))

    def undo_tag_change(self, change: TagChange) -> None:
        """Give the papers of `change` their tags from before it."""
        try:
            undo_tags(self.triage, change)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._triage_notices()
        ids = [pid for pid, _ in change.before]
        self.after_triage(ids, "tags", follow=ids[0] if ids else None)
        self.notify(f"undone: tags ({len(ids)} paper{'s' if len(ids) != 1 else ''})", timeout=1.5)

    def _triage_notices(self) -> None:
        """Say when the triage store had to recreate a deleted state.db."""
        while notice := self.triage.take_notice():
            self.notify(notice, severity="warning", timeout=10, markup=False)
