"""Recommendations: papers like the ones you point at, and a For-you order learned from triage.

No Textual and no Whoosh here: the package works on any list of Paper-like records and on paper
ids. docs/recommendations.md has the method, the measured quality and costs, and the API for the
library, the CLI and the browser.

- features.py: `FeatureSpace`, tf-idf rows over title, abstract, word pairs, author names and
  org; `save`/`load` beside the index (vectorize.py builds them; storage.py reads them back).
- similar.py: `similar`, the k nearest papers by cosine, each with the shared key terms.
- foryou.py: `Labels.from_triage`, `train` (L2 logistic regression, logistic.py) -> a
  `ForYouModel` that orders and explains candidates, or `TooFewLabels`.
- sparse.py: compressed sparse rows in numpy (in memory, or read from the saved files).
"""
