"""tantivy (a Rust engine of Lucene's design, through its Python package) as the harness's peer.

    python benchmarks/peer_tantivy.py RECORDS.jsonl INDEX_DIR [--threads 2] [--heap-mb 256]

builds an index of the merged records (one JSON object per line: `id`, `title`, `abstract`,
`org`, `published` as `YYYY-MM-DD` or null, `upvotes`, `comments`) and prints one JSON line:
papers, seconds and papers/s. benchmarks/run.py runs it as its own process, so its wall clock
and peak RSS are the peer's alone. `Peer` then answers the harness's queries
(benchmarks/queries.py `TantivyQuery`) on that index.

The schema is paperbrowse's, as tantivy spells it: title and abstract stemmed (`en_stem`:
lowercase, Snowball English stemmer) with frequencies and positions; their unstemmed words
(`default` tokenizer, document lists only) for patterns; the organisation stemmed; the
publication date, upvotes and comments indexed and fast (column-stored, for sorting and
ranges). What paperbrowse stores is stored too, byte for byte, so that sizes on disk compare
like for like: the title, and when the records file carries them (benchmarks/run.py copies
them from paperbrowse's library) the merged record and every capture's record as JSON
(`record`, `variants`: stored, not indexed); reading a row reads a document. tantivy is a
benchmark-only dependency (the `bench` extra in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

HEAP_MB = 256
THREADS = 2


def available() -> bool:
    """True when the tantivy package can be imported."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def make_schema() -> Any:
    """The peer's schema (module docstring)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("abstract", tokenizer_name="en_stem")
    builder.add_text_field("title_words", tokenizer_name="default", index_option="basic")
    builder.add_text_field("abstract_words", tokenizer_name="default", index_option="basic")
    builder.add_text_field("org", tokenizer_name="en_stem")
    builder.add_date_field("published", indexed=True, fast=True)
    builder.add_integer_field("upvotes", indexed=True, fast=True)
    builder.add_integer_field("comments", indexed=True, fast=True)
    builder.add_bytes_field("record", stored=True, indexed=False)
    builder.add_bytes_field("variants", stored=True, indexed=False)
    return builder.build()


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time())


def build(records: Path, target: Path, threads: int = THREADS, heap_mb: int = HEAP_MB) -> dict:
    """Index the records file into `target` (created empty); one commit, merges waited for."""
    import tantivy

    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    index = tantivy.Index(make_schema(), path=str(target), reuse=False)
    writer = index.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
    count = 0
    with records.open(encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            doc = tantivy.Document(
                id=rec["id"],
                title=rec["title"],
                abstract=rec["abstract"],
                title_words=rec["title"],
                abstract_words=rec["abstract"],
                upvotes=rec["upvotes"] or 0,
                comments=rec["comments"] or 0,
            )
            if rec["org"]:
                doc.add_text("org", rec["org"])
            if rec["published"]:
                doc.add_date("published", _day(rec["published"]))
            for stored in ("record", "variants"):
                if rec.get(stored):
                    doc.add_bytes(stored, rec[stored].encode("utf-8"))
            writer.add_document(doc)
            count += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - start
    return {"papers": count, "seconds": seconds, "papers_per_s": count / seconds}


class Peer:
    """An open tantivy index answering `TantivyQuery`s: search, then read the first rows."""

    def __init__(self, path: Path) -> None:
        """Open the index built by `build`."""
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def query(self, spec: Any) -> Any:
        """The tantivy query of a `TantivyQuery`."""
        t = self.tantivy
        if spec.text is not None:
            base = self.index.parse_query(
                spec.text,
                ["title", "abstract"],
                field_boosts={"title": 2.0},
                conjunction_by_default=True,
            )
        elif spec.patterns:
            base = t.Query.boolean_query(
                [
                    (t.Occur.Should, t.Query.regex_query(self.schema, f, rx))
                    for f, rx in spec.patterns
                ]
            )
        else:
            base = t.Query.all_query()
        must = [(t.Occur.Must, base)]
        if spec.date_range is not None:
            lo, hi = spec.date_range
            must.append(
                (
                    t.Occur.Must,
                    t.Query.range_query(
                        self.schema,
                        "published",
                        t.FieldType.Date,
                        _day(lo.isoformat()),
                        _day(hi.isoformat()),
                    ),
                )
            )
        if spec.counts is not None:
            name, low = spec.counts
            must.append(
                (
                    t.Occur.Must,
                    t.Query.range_query(self.schema, name, t.FieldType.Integer, low, None),
                )
            )
        return base if len(must) == 1 else t.Query.boolean_query(must)

    def run(self, spec: Any, rows: int = 40) -> int:
        """Search and read the stored title of the first `rows` hits; the number of hits."""
        result = self.searcher.search(self.query(spec), rows, count=True, order_by_field=spec.order)
        for _, address in result.hits:
            self.searcher.doc(address)
        # `count` is set when count=True; the package's type stub (0.27) does not declare it
        # (without the bench extra tantivy is untyped: the ignore is unused there).
        return int(result.count or 0)  # type: ignore[attr-defined,unused-ignore]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--heap-mb", type=int, default=HEAP_MB)
    args = parser.parse_args(argv)
    print(json.dumps(build(args.records, args.index, args.threads, args.heap_mb)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
