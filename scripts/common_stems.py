"""Print the stems that word-pair postings are kept for (paperbrowse/engine/word_pairs.py).

    python scripts/common_stems.py [RECORDS]

RECORDS is the HF papers API export (default ../shared/data/hf-daily-papers-api-2024-2026.jsonl.gz,
one JSON record per line with `title` and `abstract`). A stem is common when at least one paper in
COMMON_SHARE (1 in 8) holds it in its title or abstract, as StemmingAnalyzer analyses them
(`analysis.stemmed_terms`). Prints the sorted stems as the Python tuple word_pairs.py holds;
tests/unit/test_word_pairs.py checks the module against this list.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from paperbrowse.analysis import stemmed_terms  # noqa: E402
from paperbrowse.engine.word_pairs import COMMON_SHARE  # noqa: E402

DEFAULT_RECORDS = REPO_ROOT.parent / "shared" / "data" / "hf-daily-papers-api-2024-2026.jsonl.gz"


def common_stems(lines: Iterable[str]) -> list[str]:
    """The stems in at least COMMON_SHARE of the records (JSON lines with `title` and
    `abstract`), sorted."""
    df: Counter[str] = Counter()
    papers = 0
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        papers += 1
        title = record.get("title") or ""
        abstract = record.get("abstract") or ""
        df.update(set(stemmed_terms(title)[1]) | set(stemmed_terms(abstract)[1]))
    return sorted(stem for stem, n in df.items() if n >= COMMON_SHARE * papers)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_RECORDS
    with gzip.open(path, "rt", encoding="utf-8") as f:
        stems = common_stems(f)
    print(f"# {len(stems)} stems")
    line = "    "
    for stem in stems:
        item = f'"{stem}", '
        if len(line) + len(item) > 99:
            print(line.rstrip())
            line = "    "
        line += item
    print(line.rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
