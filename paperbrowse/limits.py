"""Limits on what paperbrowse reads, shared by the CLI and the capture reader (kept apart so the
CLI can name them without loading the parsers)."""

from __future__ import annotations

MB = 1024 * 1024
# The largest real capture is a few hundred KB; 64 MB holds a hundred thousand papers' worth.
DEFAULT_MAX_MB = 64
DEFAULT_MAX_BYTES = DEFAULT_MAX_MB * MB
