"""The query language: what a user types -> a Whoosh query (the ranges and terms a search
applies are planned in query_plan.py).

The syntax is Whoosh's (see the README's query language), with four changes: `-word` means
`NOT word` (outside quotes, as search boxes have it); unbalanced brackets and quotes, unknown or
unsearchable fields, a field without a value and an operator without its words are each one
line in our words (QueryError) instead of a query that silently matches nothing or a Whoosh
traceback; wildcards, prefixes and ranges on a text field match the field's unstemmed words
(engine/patterns.py); and top-level date and count ranges are pulled out
(`query_plan.split_ranges`), so the catalog applies them instead of a Whoosh range query.
`tag:` and `note:` clauses are pulled out too (state_fields.py): they are matched against
state.db by id, not against the index; so is `for:` (for_field.py), which orders the results
instead of selecting them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import query
from whoosh.fields import Schema
from whoosh.qparser import (
    FieldsPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    QueryParser,
    QueryParserError,
    WildcardPlugin,
    syntax,
)

from paperbrowse.engine.patterns import WORD_FIELDS, word_pattern
from paperbrowse.errors import QueryError
from paperbrowse.for_field import for_problem, nested_for, with_for_field
from paperbrowse.query_forms import rewrite, value_problem
from paperbrowse.state_fields import with_state_fields
from paperbrowse.text import nfc


@dataclass(frozen=True)
class QueryField:
    """A field a user can search: its name, an example query of it, and what it holds."""

    name: str
    example: str  # a query of this field alone, as the README and the help show it
    meaning: str  # a few words: what the field holds


# The fields a user can search, in the order messages and the browser's help list them (the
# README's query language). The one list: field checks, error messages and the help use it.
QUERY_FIELDS = (
    QueryField("title", "title:pose", "words of the title"),
    QueryField("abstract", "abstract:lidar", "words of the abstract"),
    QueryField("org", "org:deepseek", "the organisation"),
    QueryField("author", 'author:"Qizheng Zhang"', "author names, where a capture lists them"),
    QueryField("arxiv", "arxiv:2510.04618", "the arXiv id, any version"),
    QueryField("date", "date:2024-03", "the date: YYYY, YYYY-MM, YYYY-MM-DD, >, [a to b]"),
    QueryField("upvotes", "upvotes:>=50", "upvotes (never a comment count)"),
    QueryField("comments", "comments:>=5", "the comment count"),
    QueryField("authors", "authors:>10", "the author count"),
    QueryField("stars", "stars:>1000", "GitHub stars"),
    QueryField("has_code", "has_code:true", "a code link: true or false"),
    QueryField("tag", "tag:to-read", "your tags (state.db, not the index)"),
    QueryField("note", "note:benchmark", "words of your note, stemmed like the abstract"),
    QueryField("for", "for:diffusion", "rank as For you does, learning from that tag's papers"),
)
SEARCHABLE_FIELDS = tuple(field.name for field in QUERY_FIELDS)
# Whoosh's operators: NOT is a prefix, the others stand between two clauses.
PREFIX_OPERATORS = frozenset({"NOT"})
INFIX_OPERATORS = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE", "REQUIRE"})

# A field's name starts with a letter (so `10:30` and `GPT-4:` stay words) and stands at the
# start of a word (so `Emu3.5:` of a pasted title is a word: Whoosh's own rule, `\w+:`
# anywhere, read it as `Emu3.` and an unknown field `5:`, and searched `emu3` alone).
_FIELD_NAME_AT = r"(?<![\w.\-:])"
_NAME = r"[A-Za-z_]\w*"
# `name:` followed by what the field would apply to; `https://…` is a link, not a field.
_FIELD = re.compile(rf"{_FIELD_NAME_AT}({_NAME}):(?!//)(\S?)")
# Whoosh's field syntax (FieldsPlugin) by the same rule.
_FIELD_EXPR = rf"{_FIELD_NAME_AT}(?P<text>{_NAME}|[*]):"
_TOKENS = re.compile(r"[()]|[^\s()]+")
_COMPARISONS = ("<", ">", "<=", ">=", "=<", "=>")


def field_list() -> str:
    """The searchable fields, for messages: `title, abstract, …`."""
    return ", ".join(SEARCHABLE_FIELDS)


def field_problem(text: str) -> str | None:
    """An unknown or unsearchable field, or a field without a value; None when all is well.

    `foo:bar` names a field that does not exist, `record:x` one that is not searchable, and
    `title:` (or `title: pose`) gives a field nothing to search: Whoosh would silently turn each
    into plain words or match nothing. An unknown name followed by a space (`Lite Pose: A…`,
    pasted from a title) stays words.
    """
    for match in _unquoted(_FIELD, text):
        name, value = match.group(1), match.group(2)
        if name in SEARCHABLE_FIELDS:
            if not value:
                return f"{name}: needs a value right after the colon ({name}:word)"
            rest = text[match.start(2) :].split(maxsplit=1)[0]
            if rest.rstrip(")") in _COMPARISONS:  # `comments:>`: Whoosh searched the word
                op = rest.rstrip(")")
                example = "2025-06-01" if name == "date" else "5"
                return f"{name}:{op} needs a value after {op!r} ({name}:{op}{example})"
            continue
        if not value:
            continue  # a word ending in a colon
        return (
            f"there is no field {name!r} to search; the fields are {field_list()} (a pasted "
            f"title's '{name}:…'? put it in double quotes)"
        )
    return None


def _unquoted(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of `pattern` in `text` that start outside double-quoted stretches."""
    marks = [i for i, ch in enumerate(text) if ch == '"']
    spans = [(marks[i], marks[i + 1] + 1) for i in range(0, len(marks) - 1, 2)]
    for match in pattern.finditer(text):
        if not any(start < match.start() < end for start, end in spans):
            yield match


def operator_problem(text: str) -> str | None:
    """An operator without the words it joins (`NOT NOT x`, `pose AND`, `OR x`); else None."""
    tokens: list[str] = []
    for i, part in enumerate(text.split('"')):
        if i % 2:
            tokens.append('"phrase"')
        else:
            tokens.extend(_TOKENS.findall(part))
    previous: str | None = None
    for n, token in enumerate(tokens):
        following = tokens[n + 1] if n + 1 < len(tokens) else None
        ends = following is None or following == ")" or following in INFIX_OPERATORS
        if token in PREFIX_OPERATORS:
            if following in PREFIX_OPERATORS:
                return "NOT (or a leading -) must be followed by a word, not by another NOT"
            if ends:
                return "NOT (or a leading -) needs a word after it"
        elif token in INFIX_OPERATORS:
            if previous is None or previous == "(" or previous in INFIX_OPERATORS | {"NOT"}:
                return f"{token} needs a word before it"
            if ends:
                return f"{token} needs a word after it"
        previous = token
    return None


class QueryLanguage:
    """Parses what a user typed into a Whoosh query over `schema` (the index's own, plus the
    `tag` and `note` fields of state.db: state_fields.py)."""

    def __init__(self, schema: Schema) -> None:
        parser = _QueryParser(None, with_for_field(with_state_fields(schema)))
        parser.remove_plugin_class(WildcardPlugin)
        parser.remove_plugin_class(FieldsPlugin)
        parser.add_plugin(FieldsPlugin(expr=_FIELD_EXPR))
        parser.add_plugin(_WildcardPlugin())
        parser.add_plugin(MultifieldPlugin(["title", "abstract"]))
        parser.add_plugin(GtLtPlugin())
        self._parser = parser

    def parse(self, text: str) -> query.Query | None:
        """The Whoosh query for `text`; None for an empty query. QueryError when malformed."""
        text = nfc(text).strip()  # the index holds NFC text (see text.clean_line)
        if not text:
            return None
        _check_balanced(text)
        converted = _minus_as_not(rewrite(text, SEARCHABLE_FIELDS))
        problem = (
            field_problem(converted)
            or value_problem(converted)
            or operator_problem(converted)
            or nested_for(text)
        )
        if problem:
            raise QueryError(f"invalid query {quoted(text)}: {problem}")
        try:
            parsed = self._parser.parse(converted)
        except QueryParserError as exc:
            raise QueryError(f"invalid query {quoted(text)}: {exc}") from None
        except Exception:  # Whoosh's parser can fail with its own internals on odd input
            raise QueryError(
                f"invalid query {quoted(text)}: cannot be read as a query; see "
                "`paperbrowse search --help` for the query language"
            ) from None
        problem = _query_error(parsed) or for_problem(parsed)
        if problem:
            raise QueryError(f"invalid query {quoted(text)}: {problem}")
        return parsed


class _QueryParser(QueryParser):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's parser, except that wildcards, prefixes and ranges on a text field match the
    field's unstemmed, lower-cased words (patterns.WORD_FIELDS), not its stems.

    Whoosh runs a pattern through the field's stemmer (`pos*` became `po*` and matched
    "power") or matches it against stems (`title:diffusion*` found nothing: the stem is
    "diffus").
    """

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: type[query.Query],
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> query.Query:
        words = WORD_FIELDS.get(fieldname)
        if termclass in (query.Wildcard, query.Prefix) and words is not None:
            return word_pattern(words, text.lower(), termclass, boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)

    def process(self, text: str, pos: int = 0, debug: Any = None) -> Any:
        """Whoosh's syntax tree, with ranges on text fields made ranges of words."""
        nodes = super().process(text, pos, debug)
        _words_ranges(nodes)
        return nodes


class _WildcardPlugin(WildcardPlugin):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's wildcard syntax, with a pattern kept whole: Whoosh joins a `*` or `?` to at
    most one neighbour on each side, so `?*.0` became the pattern `?*` and a word `.0`."""

    def do_wildcards(self, parser: QueryParser, group: Any) -> Any:
        """Join every run of adjacent text and wildcard nodes into one, then Whoosh's own."""
        _join_wildcards(self.WildcardNode, group)
        return super().do_wildcards(parser, group)


def _join_wildcards(kind: Any, group: Any) -> None:
    i = 0
    while i < len(group):
        node = group[i]
        if isinstance(node, kind):
            while i + 1 < len(group) and group[i + 1].is_text():
                node.text += group.pop(i + 1).text
            while i > 0 and group[i - 1].is_text():
                node.text = group.pop(i - 1).text + node.text
                i -= 1
        elif isinstance(node, syntax.GroupNode):
            _join_wildcards(kind, node)
        i += 1


class _WordRangeNode(syntax.RangeNode):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """`title:[a to c]`: the words from "a" to "c", unstemmed and lower-cased."""

    def query(self, parser: QueryParser) -> query.Query:
        words = WORD_FIELDS.get(self.fieldname or parser.fieldname)
        if words is None:
            return super().query(parser)
        start = self.start.lower() if self.start else None
        end = self.end.lower() if self.end else None
        found = query.TermRange(words, start, end, self.startexcl, self.endexcl, boost=self.boost)
        return syntax.attach(found, self)


def _words_ranges(node: Any) -> None:
    if type(node) is syntax.RangeNode:
        node.__class__ = _WordRangeNode
    for child in getattr(node, "nodes", ()) or ():
        _words_ranges(child)


def quoted(text: str, limit: int = 60) -> str:
    """A query quoted for a message, shortened: messages stay one readable line."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# What `get` accepts as an arXiv id: a new-style or old-style id, optionally prefixed/versioned.
# A minus at the start of a word (after a space or an opening parenthesis): `video -image`.
# Not one inside a word (`text-to-image`, `date:2024-01`) or a phrase.
# A minus at the start, after a space or `(`, and before a word, a quote or a field.
_MINUS = re.compile(r"(?<![^\s(])-(?=[^\s\-)])")


def _minus_as_not(text: str) -> str:
    """`-word` as `NOT word`, outside quotes, as search boxes have it.

    Whoosh's own PlusMinusPlugin also splits hyphenated words and dates, and makes the other
    words optional once a `+` appears, so it is not used.
    """
    out: list[str] = []
    in_quote = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch == "-" and _MINUS.match(text, i):  # `-"a phrase"` too
            out.append("NOT ")
            continue
        out.append(ch)
    return "".join(out)


def _check_balanced(text: str) -> None:
    stack: list[str] = []
    in_quote = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            # Whoosh ranges may mix brackets: [a TO b} is a half-open range.
            expected = "(" if ch == ")" else "[{"
            if not stack or stack[-1] not in expected:
                raise QueryError(f"invalid query {quoted(text)}: unbalanced {ch!r}")
            stack.pop()
    if in_quote:
        raise QueryError(f"invalid query {quoted(text)}: unclosed quote")
    if stack:
        raise QueryError(f"invalid query {quoted(text)}: unclosed {stack[-1]!r}")


_WORDS = re.compile(r"\w+")
_FIELD_NAME = re.compile(r"\b\w+:")


# A `?` ending a word outside quotes: a pasted title's question mark, read as a wildcard.
_ENDING_WILDCARD = re.compile(r"\w\?(?=[\s)]|$)")


def left_out(parsed: query.Query | None, text: str) -> str | None:
    """Why the query `text` (parsed to `parsed`) may match nothing, for the CLI's "no papers
    match" line: every word is a stop word or a single letter, which the index leaves out
    (StemmingAnalyzer's STOP_WORDS, words of two letters or more; the browser's filter meets
    such words at every keystroke), or a word ends in `?`, which stands for one more letter
    (`Examples?` of a pasted title); None otherwise."""
    if parsed is not query.NullQuery:
        for match in _unquoted(_ENDING_WILDCARD, text):
            return (
                f"{text[: match.end()].split()[-1]!r} ends in '?', which stands for one "
                "letter more; put a pasted title in double quotes to search its words"
            )
        return None
    unfielded = _FIELD_NAME.sub(" ", text)  # `title:a`: the word is `a`
    words = list(dict.fromkeys(w.lower() for w in _WORDS.findall(unfielded)))
    if not words:
        return None
    shown = ", ".join(words[:4]) + (", …" if len(words) > 4 else "")
    return f"only stop words or single letters ({shown}): the index leaves those out"


def _query_error(q: query.Query) -> str | None:
    error = getattr(q, "error", None)
    if error:
        return str(error)
    for child in q.children():
        found = _query_error(child)
        if found:
            return found
    return None
