"""Which key moved the focus, so that keys typed before it stay with the widget they were typed
in.

Textual queues each key for the widget focused when the app reads it, and runs a priority
binding (`/`: focus the filter) as soon as the app reads its key, ahead of keys already queued
for a widget. So in a burst read at once (`3/` over ssh, from a macro or `tmux send-keys`), the
`/` moves the focus before the list has handled the `3`, and the list used to pass the `3` on to
the filter (filter_bar.follow_focus, which exists for the keys typed after the one that moved
the focus: `/pose`). Each key carries the time it was read (`Message.time`); `KeyOrder` records
the time of the key being handled when the focus moves, and a key read before that one is
handled where it was queued.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual import events
from textual.widget import Widget


class KeyOrder:
    """The key being handled (its read time, seconds on Textual's clock), and the key that last
    moved the focus (None: the focus last moved without a key, or before any)."""

    def __init__(self) -> None:
        self.handling: float | None = None
        self.focus_moved_by: float | None = None

    @contextmanager
    def handling_key(self, event: events.Key) -> Iterator[None]:
        """Within: `event` is the key being handled (a focus move is its doing)."""
        before, self.handling = self.handling, event.time
        try:
            yield
        finally:
            self.handling = before

    def focus_moved(self) -> None:
        """The focus moved: by the key being handled, if any."""
        self.focus_moved_by = self.handling

    def read_before_the_move(self, event: events.Key) -> bool:
        """Whether `event` was read before the key that last moved the focus."""
        return self.focus_moved_by is not None and event.time < self.focus_moved_by


def key_order_of(app: Any) -> KeyOrder | None:
    """The app's KeyOrder (PaperBrowser.key_order), None in an app without one."""
    order = getattr(app, "key_order", None)
    return order if isinstance(order, KeyOrder) else None


@contextmanager
def handling(widget: Widget, event: events.Key) -> Iterator[None]:
    """Within: `event` is the key the app's KeyOrder sees handled (a binding it runs that
    moves the focus is its doing)."""
    order = key_order_of(widget.app)
    if order is None:
        yield
        return
    with order.handling_key(event):
        yield
