"""Citation keys from a template: `--key '{author}{year}{word}'` (the default), as arXiv's own
"Export BibTeX citation" writes them (`zhang2025agentic`: first author's surname, year, first
significant title word).

Fields of a template:

- `{author}`: the first author's surname (the last word of the first name a capture lists,
  folded to lowercase ASCII); when no names are known (or the name has no ASCII letters),
  the first significant title word.
- `{year}`: the year a citation gives (`citation.issued`: the publication year, or the arXiv
  id's year when the two disagree; empty when unknown).
- `{word}`: the first significant title word: not a stopword, math dropped, folded to ASCII;
  when the template's `{author}` already fell back to that word, the next significant one, so
  a paper without names gets `lite2022pose`, not `lite2022lite`.
- `{id}`: the paper's 12-hex-digit id.

A key keeps only the characters BibTeX, biber and Pandoc all accept in a key (ASCII letters,
digits, `_ - : .`). Keys are unique within one output: the second paper with a key gets `a`
after it, the third `b`, and so on (`z`, then `aa`), as JabRef and Better BibTeX do.
This module must not import Textual.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from paperbrowse.bibtex import ascii_word, math_spans, stopword
from paperbrowse.citation import issued
from paperbrowse.models import Paper

DEFAULT_TEMPLATE = "{author}{year}{word}"
FIELDS = ("author", "year", "word", "id")
_KEY_CHARACTERS = re.compile(r"[^A-Za-z0-9_\-:.]")


class KeyTemplateError(ValueError):
    """A key template that cannot be used; the message names the template and why."""


def check_template(template: str) -> str:
    """`template` when every `{field}` in it is one of FIELDS, without format specs; raises
    KeyTemplateError (one line) otherwise."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise KeyTemplateError(f"bad --key template {template!r}: {exc}") from None
    names = [name for _, name, _, _ in parts if name is not None]
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            raise KeyTemplateError(
                f"bad --key template {template!r}: {{{name}}} is not one of "
                + " ".join(f"{{{f}}}" for f in FIELDS)
            )
    if not names:
        raise KeyTemplateError(f"bad --key template {template!r}: it uses no field")
    return template


def title_words(title: str) -> list[str]:
    """The significant words of a title, in order, folded to lowercase ASCII (math dropped,
    so `HyperZ$\\cdot$Z$\\cdot$W` is one word; words split at spaces, hyphens, slashes and
    colons)."""
    spans = math_spans(title)
    plain, pos = [], 0
    for start, end in spans:
        plain.append(title[pos:start])
        pos = end
    plain.append(title[pos:])
    words = [ascii_word(w) for w in re.split(r"[\s\-/:]+", "".join(plain))]
    return [w for w in words if w and not stopword(w)]


def surname(name: str) -> str:
    """The surname of a name written `Given Family` (its last word), folded to ASCII; '' when
    nothing ASCII is left (`张三`)."""
    words = [ascii_word(w) for w in name.split()]
    words = [w for w in words if w and w not in ("jr", "sr", "ii", "iii", "iv")]
    return words[-1] if words else ""


def key_fields(paper: Paper, shift: bool = True) -> dict[str, str]:
    """The values of FIELDS for `paper`; with `shift` (the template uses `{author}`), `word`
    moves on to the next significant title word when `author` fell back to the first."""
    words = title_words(paper.title) or ["paper"]
    names = paper.author_names or []
    author = surname(names[0]) if names else ""
    word = words[0]
    if not author:
        author = words[0]
        if shift:
            word = words[1] if len(words) > 1 else ""
    parts = issued(paper)
    year = str(parts[0]) if parts else ""
    return {"author": author, "year": year, "word": word, "id": paper.id}


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


@dataclass
class KeyMaker:
    """Makes the keys of one output file: `KeyMaker(template).key(paper)`, unique among the
    keys it made."""

    template: str = DEFAULT_TEMPLATE
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        check_template(self.template)
        self._shift = "{author}" in self.template

    def key(self, paper: Paper) -> str:
        """The key for `paper`, with `a`, `b`, … appended when an earlier paper took it."""
        base = (
            _KEY_CHARACTERS.sub("", self.template.format(**key_fields(paper, self._shift)))
            or "paper"
        )
        key, n = base, 0
        while key in self.seen:
            n += 1
            key = base + _suffix(n)
        self.seen.add(key)
        return key
