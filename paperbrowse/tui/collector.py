"""The browser's use of Python's cyclic garbage collector (`gc`), for a fast first frame and
keystrokes that never wait for a full collection.

Each full collection walks every container object alive; with a 100,000-paper library open
(the catalog, Whoosh's readers, Textual's widgets) one takes 30-150 ms, and eight or nine
happen while a query is typed: those keystrokes miss the frame. So, as servers do after
start-up (the `gc.freeze` documentation: https://docs.python.org/3/library/gc.html#gc.freeze):

- `pause()` when the app mounts: no collection while the first screen is built and the first
  search runs (start-up makes little cyclic garbage; reference counting frees the rest);
- `settle()` once the first results (or the welcome screen) are shown: everything alive then
  is moved to the permanent generation, which later collections skip, and collection resumes;
- `release()` when the app stops: the frozen objects are collectable again (tests run many
  apps in one process).

Reference counting is untouched: frozen objects that lose their last reference are freed as
ever; only cycles among them wait for `release()`.
"""

from __future__ import annotations

import gc

_state = {"paused": False, "frozen": False}


def pause() -> None:
    """Stop automatic collection until `settle()` (or `release()`); nothing when the
    collector was already disabled by someone else."""
    if gc.isenabled():
        gc.disable()
        _state["paused"] = True


def settle() -> None:
    """Freeze what is alive now and resume automatic collection (once per `pause`)."""
    if _state["paused"]:
        gc.freeze()
        _state["frozen"] = True
        _state["paused"] = False
        gc.enable()


def release() -> None:
    """Undo `pause` and `settle`: collection on, frozen objects back in the oldest generation."""
    if _state["frozen"]:
        gc.unfreeze()
        _state["frozen"] = False
    if _state["paused"]:
        _state["paused"] = False
        gc.enable()
