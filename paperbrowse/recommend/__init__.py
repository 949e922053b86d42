"""Recommendations: papers like the ones you point at, and a For-you order learned from triage.

No Textual and no Whoosh here: this package works on any list of Paper-like records.

- features.py: `FeatureSpace`, tf-idf rows over title, abstract, author names and org.
- similar.py: `similar`, the k nearest papers by cosine, each with the shared key terms.
- foryou.py: `train` a linear model on starred vs hidden / read-not-starred papers and `rank`
  candidates with each pick's top contributing terms; `TooFewLabels` when it cannot.
"""
