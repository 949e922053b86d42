"""The discovery commands as typed functions, beside search_commands.py: `similar`, `new`
(the digest) and the For-you order of `search --sort for-you`. cli.py parses their arguments and
calls these; they print what the command prints and return the exit status (CommandError for
one-line errors). No Textual.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from paperbrowse.citekeys import DEFAULT_TEMPLATE
from paperbrowse.models import FOR_YOU_SORT, Filters, Paper, TriageState
from paperbrowse.output import FORMATS

if TYPE_CHECKING:
    from paperbrowse.feature_cache import LibraryFeatures
    from paperbrowse.library import Library
    from paperbrowse.recommend.foryou import ForYouModel
    from paperbrowse.results import Results
    from paperbrowse.triage import TriageStore
    from paperbrowse.triage_view import TriageView

FOR_YOU = FOR_YOU_SORT  # the extra value of `search --sort`
NEW_WITHOUT_RECORD_DAYS = 7  # `new` before any look was recorded: the last week
SIMILAR_FORMATS = ("why", *FORMATS)  # `why`, then every format of `search --format`
NEW_FORMATS = ("text", "md", "tsv", "jsonl", "json", "titles", "urls")


def _open(data_dir: Path) -> tuple[Library, TriageStore]:
    """The library (upgraded first if it must be; CommandError when empty) and its triage,
    read-only."""
    from paperbrowse.command_errors import CommandError
    from paperbrowse.index_commands import ready_library
    from paperbrowse.paths import state_db
    from paperbrowse.triage import TriageStore

    library = ready_library(data_dir)
    if library.searcher is None:
        raise CommandError(
            f"the library in {data_dir} is empty: add dumps with `paperbrowse index PATH...`"
        )
    return library, TriageStore(state_db(data_dir), writable=False)


# ---------------------------------------------------------------------------------------------
# For you


def note(message: str) -> None:
    """Say `message` ("3 more stars needed …") on stderr when it is a terminal; from cron (a
    pipe or a file) it would come back in every mail, so there it is left out."""
    if sys.stderr.isatty():
        print(f"paperbrowse: {message}", file=sys.stderr)


def for_you_model(
    library: Library,
    triage: TriageStore,
    *,
    tag: str | None = None,
    tagged: set[str] | None = None,
) -> tuple[LibraryFeatures, ForYouModel | None, str | None]:
    """(features, model or None, message when there is no model) for this library's triage:
    trained on the stars, or on the papers `tagged` with `tag` (a `for:<tag>` ranking)."""
    from paperbrowse.feature_cache import library_features
    from paperbrowse.suggest import needs_more_stars, train_for_you

    features = library_features(library)
    trained = train_for_you(features, triage, tag=tag, tagged=tagged or ())
    message = needs_more_stars(trained)
    return features, (None if message else trained), message  # type: ignore[return-value]


def for_you_selection(
    library: Library,
    filters: Filters,
    triage: TriageView,
    tagged_ids: Callable[[str], set[str]],
    tags_in_use: Callable[[], Iterable[str]],
) -> Results | tuple[Results, list[int], str | None, set[str] | None]:
    """Which papers a For-you or `for:TAG` search lists, before any ranking: (the newest-first
    results, their docnums without the ranking's positives unless the query asks for them, the
    tag or None, the tagged ids or None); or plain Results when the query's `for:` was only
    text and the sort is not for-you. `tagged_ids(tag)` gives the ids carrying a tag and
    `tags_in_use()` every tag (for the unknown-tag message). Shared by `for_you_results` and the
    browser's view counts, so a saved view's count is the number of papers its list shows.
    QueryError (one line) for `for:` with a tag no paper carries."""
    from paperbrowse.suggest import asks_for_positives, check_tagged, ranking_tag, without

    tag = ranking_tag(library, filters.query)
    if tag is None and filters.sort != FOR_YOU:
        return library.search(filters, triage)
    tagged = check_tagged(tag, tagged_ids(tag), tags_in_use()) if tag else None
    found = library.search(filters.with_sort(_order_of(filters)), triage)
    docnums = list(found.docnums)
    drop: set[str] = set()
    if not asks_for_positives(library, filters.query, filters.state, tag):
        drop |= tagged or triage.ids_with("starred")
    if filters.sort == FOR_YOU and filters.state != "starred":
        drop |= triage.ids_with("starred")  # For you's list never holds the stars
    return found, (without(library, docnums, drop) if drop else docnums), tag, tagged


def _order_of(filters: Filters) -> str:
    """The order a For-you or `for:TAG` selection is searched in: newest first, to be ranked;
    a sort given beside `for:TAG` (`--sort date`, `upvotes`, …) is kept, unranked."""
    return "date" if filters.sort in ("auto", FOR_YOU) else filters.sort


def ranked(filters: Filters) -> bool:
    """Whether a For-you or `for:TAG` selection of `filters` is put in the model's order: not
    when another sort than for-you is given beside `for:TAG`."""
    return filters.sort in ("auto", FOR_YOU)


def for_you_results(library: Library, filters: Filters, triage: TriageStore) -> Results:
    """`search --sort for-you` and `search 'for:TAG …'`: the papers `filters` select (newest
    first) but the ranking's positives (the starred papers, as the browser's For-you view;
    for `for:TAG` the papers tagged TAG, and the starred ones too under `--sort for-you`),
    reordered by the For-you model trained on those positives; newest first with a line on
    stderr when there are too few. `--state starred` keeps the stars and a `tag:` clause the
    tagged papers: they ask for them. So `--state inbox --sort for-you` is the browser's For-you
    view, with or without `for:TAG`. Another sort beside `for:TAG` (`--sort date`) lists the
    same papers in that order, unranked. QueryError (one line) for `for:` with a tag no paper
    carries."""
    from paperbrowse.results import Results
    from paperbrowse.suggest import for_you_order
    from paperbrowse.tags import all_tags, ids_with_tag

    selection = for_you_selection(
        library, filters, triage, lambda tag: ids_with_tag(triage, tag), lambda: all_tags(triage)
    )
    if isinstance(selection, Results):
        return selection  # `for:` was only text (inside quotes)
    found, docnums, tag, tagged = selection
    if not ranked(filters):
        return Results(library, docnums, filters.sort, found.terms)
    features, model, message = for_you_model(library, triage, tag=tag, tagged=tagged)
    try:
        if message:
            note(message)
            return Results(library, docnums, FOR_YOU, found.terms)
        assert model is not None
        return Results(library, for_you_order(features, model, docnums), FOR_YOU, found.terms)
    finally:
        features.close()


# ---------------------------------------------------------------------------------------------
# similar


def similar(
    data_dir: Path,
    paper_ids: Sequence[str],
    *,
    limit: int = 20,
    fmt: str = "why",
    key_template: str = DEFAULT_TEMPLATE,
) -> int:
    """`paperbrowse similar ID... [--limit N] [--format F] [--key T]`: the `limit` papers most
    like the
    papers `paper_ids` together, best first; `why` prints id, cosine, title and the shared key
    terms tab-separated, the other formats as `search` does; `limit` 0 means every paper that
    shares a key term (as `search --limit 0`); citation keys of bibtex/csljson/ris from
    `key_template` (citekeys.py). 0 with results, 1 with none; CommandError for an unknown id
    (1), a negative limit or a bad template (2)."""
    from paperbrowse.command_errors import CommandError
    from paperbrowse.feature_cache import library_features
    from paperbrowse.output import write_papers
    from paperbrowse.search_commands import check_key
    from paperbrowse.suggest import similar_papers
    from paperbrowse.text import strip_controls

    if limit < 0:
        raise CommandError("--limit must be 0 (all) or more", 2)
    check_key(key_template)
    library, triage = _open(data_dir)
    ids = []
    for given in paper_ids:
        paper = library.get(given)
        if paper is None:
            from paperbrowse.paper_ids import unknown_id

            raise CommandError(unknown_id(given))
        ids.append(paper.id)
    features = library_features(library)
    try:
        found = similar_papers(features, ids, limit=limit or len(library.catalog.live))
    except KeyError as exc:
        raise CommandError(
            f"paper {exc.args[0]} has no features (run `paperbrowse index`)"
        ) from None
    finally:
        features.close()
    if not found:
        print("paperbrowse: no paper shares a key term with it", file=sys.stderr)
        return 1
    if fmt == "why":
        for item in found:
            title = " ".join(strip_controls(library.paper_at(item.docnum).title).split())
            why = ", ".join(strip_controls(t) for t in item.shared)
            sys.stdout.write(f"{item.id}\t{item.score:.3f}\t{title}\t{why}\n")
        return 0
    states = triage.get_many([i.id for i in found])
    items = ((library.paper_at(i.docnum), states.get(i.id, TriageState())) for i in found)
    write_papers(items, fmt, sys.stdout, key_template=key_template)
    return 0


# ---------------------------------------------------------------------------------------------
# new


def since_time(text: str | None, data_dir: Path, *, today: date | None = None) -> tuple[float, str]:
    """(seconds since the epoch, how to say it) for `new [--since D]`: D's midnight (local
    time), else the last look, else NEW_WITHOUT_RECORD_DAYS ago. DateError for a bad D."""
    from paperbrowse.arrivals import last_looked
    from paperbrowse.dates import parse_bound

    if text:
        day = parse_bound(text, end=False, today=today)
        return datetime.combine(day, datetime.min.time()).timestamp(), f"since {day.isoformat()}"
    looked = last_looked(data_dir)
    if looked is not None:
        return looked, f"since you last looked ({_local(looked)})"
    when = time.time() - NEW_WITHOUT_RECORD_DAYS * 86400
    return when, f"in the last {NEW_WITHOUT_RECORD_DAYS} days (no earlier look recorded)"


def _local(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def digest_groups(
    library: Library, docnums: Sequence[int], order: Sequence[int]
) -> list[tuple[date | None, list[int]]]:
    """`docnums` grouped by page date, newest date first (undated last), each group in the
    order the documents have in `order` (For you, or newest first)."""
    wanted = set(int(d) for d in docnums)
    dates = library.catalog.dates  # date ordinals (catalog.long_ordinal), 0: undated
    groups: dict[int, list[int]] = {}
    for doc in order:
        if doc in wanted:
            groups.setdefault(int(dates[doc]), []).append(int(doc))
    keys = sorted(groups, key=lambda o: (o == 0, -o))
    return [(date.fromordinal(k) if k else None, groups[k]) for k in keys]


def new(data_dir: Path, *, since: str | None = None, fmt: str = "text", peek: bool = False) -> int:
    """`paperbrowse new [--since D] [--format F] [--peek]`: the papers that arrived since the
    last look (or since D) but the hidden ones, grouped by page date, For-you order within a
    date when it can; without `since` or `peek` the digest is recorded as a look (once all of
    it was written). 0 with papers, 1 with none; CommandError 2 for a bad D."""
    from paperbrowse.arrivals import arrived_since, record_look
    from paperbrowse.command_errors import CommandError
    from paperbrowse.dates import DateError
    from paperbrowse.suggest import for_you_order, for_you_terms

    try:
        when, said = since_time(since, data_dir)
    except DateError as exc:
        raise CommandError(str(exc), 2) from None
    library, triage = _open(data_dir)
    docs = arrived_since(library, when)
    hidden = library.catalog.flags_of(triage.ids_with("hidden"))
    docs = docs[~hidden[docs]] if len(docs) else docs  # hidden: you said no already
    if not len(docs):
        print(f"paperbrowse: no new papers {said}", file=sys.stderr)
        return 1
    newest = [d for d in library.catalog.order("date")]
    features, model, message = for_you_model(library, triage)
    try:
        order = for_you_order(features, model, newest) if model is not None else newest
        groups = digest_groups(library, docs.tolist(), order)
        why = (
            {d: for_you_terms(features, model, d) for _, g in groups for d in g}
            if model is not None
            else {}
        )
    finally:
        features.close()
    if message and fmt in ("text", "md"):
        note(message)
    write_digest(library, triage, groups, why, said, fmt, sys.stdout)
    sys.stdout.flush()
    if not since and not peek:
        record_look(library.data_dir, "new")
    return 0


def write_digest(
    library: Library,
    triage: TriageStore,
    groups: list[tuple[date | None, list[int]]],
    why: dict[int, tuple[str, ...]],
    said: str,
    fmt: str,
    out: TextIO,
) -> None:
    """Write the digest: `text` and `md` grouped under page dates with each paper's For-you
    terms; the paper formats (tsv, jsonl, …) as `search` writes them, in digest order."""
    from paperbrowse.output import md_line, write_papers
    from paperbrowse.text import strip_controls

    docs = [d for _, g in groups for d in g]
    papers = {d: library.paper_at(d) for d in docs}
    if fmt not in ("text", "md"):
        states = triage.get_many([p.id for p in papers.values()])
        write_papers(((papers[d], states.get(papers[d].id, TriageState())) for d in docs), fmt, out)
        return
    total = len(docs)
    noun = "paper" if total == 1 else "papers"
    if fmt == "md":
        out.write(f"# {total} new {noun} {said}\n")
    else:
        out.write(f"{total} new {noun} {said}\n")
    for day, group in groups:
        head = day.isoformat() if day else "undated"
        if fmt == "md":
            out.write(f"\n## {head} ({len(group)})\n\n")
        else:
            out.write(f"\n{head}  ({len(group)})\n")
        for doc in group:
            paper = papers[doc]
            terms = ", ".join(strip_controls(t) for t in why.get(doc, ()))
            if fmt == "md":
                out.write(md_line(paper) + "\n")
                if terms:
                    out.write(f"  for you: {_md_text(terms)}\n")
            else:
                out.write(f"  {_plain(paper)}\n")
                if terms:
                    out.write(f"    for you: {terms}\n")


def _plain(paper: Paper) -> str:
    from paperbrowse.text import strip_controls

    title = " ".join(strip_controls(paper.title).split())
    return f"{paper.id}  {title}"


def _md_text(text: str) -> str:
    """Markdown-escaped plain text (the characters Markdown would read as syntax)."""
    import re

    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)
