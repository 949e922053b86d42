"""The codec class every paperbrowse index names.

Whoosh pickles each segment's codec into the index's TOC, so every index written since schema 6
names `paperbrowse.postings.PaperCodec`: it must stay importable under that name for those
indexes to open. The codec itself is `engine.codec.SideFileCodec`.
"""

from __future__ import annotations

from paperbrowse.engine.codec import SideFileCodec


class PaperCodec(SideFileCodec):
    """The codec of every segment paperbrowse writes (see `engine.codec`)."""
