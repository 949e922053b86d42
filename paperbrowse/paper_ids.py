"""What a paper id looks like, and the message for an id no paper answers to (`Library.get`)."""

from __future__ import annotations

import re

from paperbrowse.models import is_arxiv_id

# The shortest id prefix that names a paper: shorter hex words (`5c`, `50`, `000`) are common
# query words, and 6 hex digits leave a clash between two papers unlikely (16^6 = 16.7 million).
MIN_ID_PREFIX = 6
_PAPER_ID_FORM = re.compile(rf"^[0-9a-f]{{{MIN_ID_PREFIX},12}}$")
ID_RULE = (
    f"an id is 12 hex digits, at least the first {MIN_ID_PREFIX} of them, or an arXiv id "
    "like 2510.04618"
)


def is_id_form(text: str) -> bool:
    """Whether `text` has the form of a paper id (`get`): 6 to 12 hex digits (a full id or a
    prefix of one) or an arXiv id, any case, blanks around ignored. Every command taking
    `ID|QUERY` reads a word of another form as a query word."""
    pid = text.strip().lower()
    return bool(_PAPER_ID_FORM.match(pid) or is_arxiv_id(pid))


def unknown_id(text: str) -> str:
    """The one-line message for an `ID` argument no paper answers to: `no paper with id 'x'`,
    with the id rule when `text` does not have an id's form."""
    return f"no paper with id {text!r}" + ("" if is_id_form(text) else f" ({ID_RULE})")
