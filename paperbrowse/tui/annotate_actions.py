"""The main screen's tag and note keys: `t` tags the marked papers (or the highlighted one),
`n` edits the highlighted paper's note. Tag changes go on the screen's undo stack (`u`, undone
in tui/triage_actions.py).

A mixin for `MainScreen`, built on TriageActions (the marks, the targets of a key, the undo
stack, `after_triage` and the store's notices)."""

from __future__ import annotations

from paperbrowse.errors import LibraryError
from paperbrowse.models import Paper
from paperbrowse.tags import NoteError, TagError, all_tags, edit_tags, parse_edits, set_note
from paperbrowse.triage import TriageError
from paperbrowse.tui.tag_editor import TagEditor
from paperbrowse.tui.triage_actions import TriageActions


class AnnotateActions(TriageActions):
    """Tagging and notes from the browser."""

    def action_tag(self) -> None:
        ids = self._targets()
        if not ids:
            return
        try:
            in_use = all_tags(self.triage)
            states = self.triage.get_many(ids)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        shared = sorted(
            set.intersection(*(set(states[i].tags if i in states else ()) for i in ids))
        )
        # One marked paper need not be the highlighted one: the dialog names the paper it tags.
        title = ""
        if len(ids) > 1:
            what = f"{len(ids):,} marked papers"
        else:
            what = "the marked paper" if self.marks else "this paper"
            title = self._title_of(ids[0])

        def chosen(text: str | None) -> None:
            if text:
                self._apply_tags(ids, text)

        self.app.push_screen(
            TagEditor(what, shared, in_use, several=len(ids) > 1, title=title), chosen
        )

    def _title_of(self, paper_id: str) -> str:
        """The paper's title on one line ("" when it is not found); the dialog cuts it to
        its width."""
        current = self.current
        if current is not None and current.id == paper_id:
            paper: Paper | None = current
        else:
            try:
                with self.library_lock:
                    paper = self.library.get(paper_id)
            except LibraryError:
                paper = None
        if paper is None:
            return ""
        return " ".join(paper.title.split())

    def _apply_tags(self, ids: list[str], text: str) -> None:
        try:
            add, remove = parse_edits([text])
            change = edit_tags(self.triage, ids, add, remove)
        except (TagError, TriageError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._triage_notices()
        self.undo_stack.append(change)
        self.after_triage(ids, "tags")
        what = f"{change.changed} papers" if change.changed != 1 else "1 paper"
        self.notify(f"tags changed on {what}", timeout=1.5)

    def action_note(self) -> None:
        paper = self.current
        if paper is None:
            return
        try:
            note = self.triage.get(paper.id).note
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                changed = set_note(self.triage, paper.id, text)
            except (NoteError, TriageError) as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self._triage_notices()
            self.after_triage([paper.id], "note")
            if changed:
                self.notify("note saved" if text.strip() else "note cleared", timeout=1.5)

        # Imported here: Textual's TextArea is ~20 ms of the browser's start-up otherwise.
        from paperbrowse.tui.note_editor import NoteEditor

        self.app.push_screen(NoteEditor(paper.title, note), chosen)
