"""The fast text path under the library: how documents match a query and how they score.

- `whoosh_internals`, `whoosh_capture_codec`, `whoosh_capture_writers`, `whoosh_segment_files`,
  `whoosh_segment_writer`, `whoosh_procs`: every use of Whoosh's private attributes (reading; the
  codec capturing postings for the side files and its postings and field writers; the term
  index's records and the length cache; writing a segment; the multiprocess writer), and the
  pinned Whoosh version they were written against;
- `codec`: the postings side files written beside each segment (`SideFileCodec`);
- `side_files`: reading them (`TermArrays`);
- `patterns`: wildcards, prefixes and word ranges over the unstemmed word lists;
- `matching`: a Whoosh query -> sorted numpy arrays of document numbers (`DocSets`);
- `doc_arrays`: union, intersection and difference of those arrays;
- `term_postings`: terms of fields without side files, read from Whoosh's blocks once per
  search (`BlockPostings`), and the side files' positions of a phrase's words (`term_keys_in`);
- `scoring`: BM25F over whole postings arrays (`top_scored`).

The engine knows Whoosh and numpy, never paperbrowse's records, schema or user interface.
"""
