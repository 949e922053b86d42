"""The browser's watch on its library: papers an `index` run committed and triage another
process wrote while the browser is open (`LibraryWatch.watch_library`, every WATCH_SECONDS),
the reload key, the new-papers notice and the record of looks. The watch asks the library for
an update only when the stat data of the files every `index` run changes (`library_files`)
changed. A mixin of the main screen (main_screen.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from paperbrowse.arrivals import arrived_since, last_looked, read_arrivals, record_look
from paperbrowse.library import Library
from paperbrowse.paths import INDEX_PREFIX, MANIFEST

if TYPE_CHECKING:
    from paperbrowse.models import Paper
    from paperbrowse.tui.discovery import SimilarMode
    from paperbrowse.tui.paper_list import PaperList

WATCH_SECONDS = 2.0  # how often the browser looks for a newer library generation

FileStamp = tuple[str, int, int, int]  # name, inode, size, modification time (ns)


def library_files(data_dir: Path) -> tuple[FileStamp, ...] | None:
    """The stat data of what every `index` run changes in `data_dir`: the manifest (replaced
    after each commit: a new inode) and the index directories (a commit adds its TOC and
    segment files to one, a rebuild makes a new one); None when the data dir cannot be
    listed (then the library is asked every time)."""
    found: list[FileStamp] = []
    try:
        with os.scandir(data_dir) as entries:
            for entry in entries:
                if entry.name == MANIFEST or entry.name.startswith(INDEX_PREFIX):
                    info = entry.stat()
                    found.append((entry.name, info.st_ino, info.st_size, info.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found))


class LibraryWatch(Screen[None]):
    """The main screen's watch on its library, its reload key (`action_reload`), the
    new-papers notice and the record of looks."""

    library: Library
    similar_mode: SimilarMode | None

    if TYPE_CHECKING:  # the main screen's (its search runner's, saved views', triage's)

        @property
        def library_lock(self) -> threading.RLock: ...

        @property
        def current(self) -> Paper | None: ...

        @property
        def paper_list(self) -> PaperList: ...

        def search(self, keep_cursor: bool = False) -> None: ...

        def keep_cursor_on(self, paper_id: str | None) -> None: ...

        def count_views(self) -> None: ...

        def release_when_idle(self) -> None: ...

        def triage_changed_elsewhere(self) -> bool: ...

        def forget_states(self, ids: list[str]) -> None: ...

        def result_ids(self) -> list[str]: ...

    def init_library_watch(self) -> None:
        """Set up the watch's state (called from MainScreen.__init__); `start_library_watch`
        starts it."""
        self._files_seen: tuple[FileStamp, ...] | None = None  # see watch_library

    def start_library_watch(self) -> None:
        """Take the triage mark the watch compares with and look every WATCH_SECONDS."""
        self.triage_changed_elsewhere()
        self.set_interval(WATCH_SECONDS, self.watch_library)

    def watch_library(self) -> None:
        """Show papers that an `index` run committed while the browser is open. The library
        is asked (which parses the manifest: 1.4 MB at 100,000 papers, tens of ms on the UI
        thread) only when `library_files` changed since it last said there was no update.
        Triage another process committed (the CLI starring in another terminal) refreshes the
        tabs' counts and the list, as after a triage key. Hands back the mapped pages of
        searches that have paused (search_runner.release_when_idle)."""
        self.release_when_idle()
        if self.triage_changed_elsewhere():
            self._triage_from_elsewhere()
        files = library_files(self.library.data_dir)
        if files is not None and files == self._files_seen:
            return
        if not self.library_lock.acquire(blocking=False):
            return  # a search is running; look again next time
        try:
            if not self.library.has_update():
                self._files_seen = files
                return
            current = self.current  # before the refresh: its document number is this one's
            before = len(self.library)
            self.library.refresh()
            after = len(self.library)
        except Exception:
            return  # a damaged index shows itself on the next search
        finally:
            self.library_lock.release()
        self.keep_cursor_on(current.id if current else None)
        self.search(keep_cursor=True)
        self.count_views()
        change = after - before
        what = f"{change:+,} paper{'s' if abs(change) != 1 else ''}" if change else "papers updated"
        self.notify(f"library updated: {what}", timeout=3)

    def _triage_from_elsewhere(self) -> None:
        self.count_views()
        if self.similar_mode is not None:  # a Similar list stays; its rows' marks are redrawn
            self.forget_states(self.result_ids())
            self.paper_list.refresh()
            return
        current = self.current
        self.keep_cursor_on(current.id if current else None)
        self.search(keep_cursor=True)

    def action_reload(self) -> None:
        with self.library_lock:
            current = self.current  # before the refresh, as in watch_library
            self.library.refresh()
        self.keep_cursor_on(current.id if current else None)
        self.search(keep_cursor=True)
        self.count_views()
        self.notify("library reloaded", timeout=1.5)

    # -- the new-papers notice and the record of looks ------------------------------------------

    def look(self, view: str) -> None:
        """Record that `view` was opened (a file in the data dir; never fails)."""
        record_look(self.library.data_dir, view)

    @work(thread=True, group="notice")
    def new_papers_notice(self, view: str) -> None:
        """Say how many papers arrived since the last look, then record this one."""
        since = last_looked(self.library.data_dir)
        count = 0
        if since is not None:
            try:
                known = read_arrivals(self.library.data_dir)  # 0.1 s at 10^5: not under the lock
                with self.library_lock:
                    count = len(arrived_since(self.library, since, preread=True, known=known))
            except Exception:  # an empty or damaged library: no notice
                count = 0
        record_look(self.library.data_dir, view)
        if count:
            noun = "paper" if count == 1 else "papers"
            text = f"{count:,} new {noun} since you last looked"
            self.app.call_from_thread(self.notify, text, timeout=6, markup=False)
