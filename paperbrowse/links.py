"""Opening links safely: only http(s), and never a console browser that would take the terminal."""

from __future__ import annotations

import os
import sys
import webbrowser

from paperbrowse.text import is_safe_url


class LinkError(Exception):
    """A link was not opened; the message says why."""


def can_open_graphically() -> bool:
    """True when a graphical browser is likely available (so webbrowser won't pick lynx)."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_url(url: str) -> None:
    """Open an http(s) URL in the user's browser; LinkError otherwise."""
    if not is_safe_url(url):
        raise LinkError(f"not opened: only http(s) links are opened ({url[:60]!r})")
    if not can_open_graphically():
        raise LinkError(f"no graphical browser (set $BROWSER); link: {url}")
    if not webbrowser.open(url, new=2):
        raise LinkError(f"the browser did not start; link: {url}")
