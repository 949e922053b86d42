"""Forms of a query that people type and Whoosh would not read as they mean them, rewritten to
the query language before it is parsed, and values a field cannot take.

- Field names in any case: `TITLE:pose` is `title:pose`, `arXiv:2510.04618` is
  `arxiv:2510.04618` (Whoosh's field names are case-sensitive).
- An arXiv id on its own finds that paper: `2510.04618`, `2510.04618v2`, an abstract or PDF
  link (`https://arxiv.org/abs/2510.04618`, `arxiv.org/pdf/2510.04618v1.pdf`) or a Hugging Face
  paper link (`https://huggingface.co/papers/2510.04618`, `hf.co/papers/2510.04618`), old-style
  ids in links too (`arxiv.org/abs/hep-th/9901001`); each becomes `arxiv:<id>`. Id forms as
  arXiv defines them: arxiv.org/help/arxiv_identifier.
- `has_code:` takes `true` or `false` (any case) and nothing else: Whoosh's BOOLEAN field reads
  `maybe`, `yes` and `1` as true.

Text inside double quotes is a phrase and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_FIELD_NAME = re.compile(r"(?<![\w.\-:])([A-Za-z_]\w*):(?!//)")
_NEW_ID = r"[0-9]{4}\.[0-9]{4,5}"
_OLD_ID = r"[a-z][a-z.-]*/[0-9]{7}"
# A whole word of the query that is an arXiv id, a link to its abstract, PDF or HF page.
_ARXIV_WORD = re.compile(
    r"(?<![^\s(])"
    r"(?:"
    rf"(?P<bare>{_NEW_ID})(?:v[0-9]+)?"
    r"|(?:https?://)?(?:www\.)?"
    r"(?:(?:export\.)?arxiv\.org/(?:abs|pdf)|(?:huggingface\.co|hf\.co)/papers)/"
    rf"(?P<linked>{_NEW_ID}|{_OLD_ID})(?:v[0-9]+)?(?:\.pdf)?/?(?:[?#]\S*)?"
    r")"
    r"(?=$|[\s)])",
    re.IGNORECASE,
)
_HAS_CODE = re.compile(r"(?<![\w.\-:])has_code:(\S*)")
_BOOLEANS = {"true", "false"}


def rewrite(text: str, fields: Collection[str]) -> str:
    """`text` with the names of `fields` (lower-case names) in any case lower-cased, and arXiv
    ids and links as `arxiv:<id>` queries, outside double quotes (which must be balanced).
    Everything else is kept as typed."""

    def lower_field(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{name.lower()}:" if name.lower() in fields else match.group(0)

    parts = text.split('"')
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        part = _FIELD_NAME.sub(lower_field, parts[i])
        parts[i] = _ARXIV_WORD.sub(_arxiv_query, part)
    return '"'.join(parts)


def value_problem(text: str) -> str | None:
    """A value its field cannot take (`has_code:maybe`), in one line; None when all is well.
    `text` is a rewritten query (field names already lower-cased)."""
    for i, part in enumerate(text.split('"')):
        if i % 2:
            continue
        for match in _HAS_CODE.finditer(part):
            value = match.group(1).rstrip(")")
            if value and value.lower() not in _BOOLEANS:
                return f"has_code: takes true or false, not {value!r}"
    return None


def _arxiv_query(match: re.Match[str]) -> str:
    found = match.group("bare") or match.group("linked")
    return f"arxiv:{found.lower()}"
