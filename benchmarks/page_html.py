"""A papers list page as HTML, so real terminal browsers (`lynx -dump`, `w3m -dump`) can write
their own dumps of real records for the tests. The markup puts each line a select-all copy shows
(../shared/fixtures/dumps) in a block of its own, with the links the site gives them: the upvote
count to the login page, the title and abstract to the paper, the comment count to #community.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from benchmarks.page_syntax import (
    HF,
    PageSpec,
    card_date,
    collapse,
    comments,
    page_label,
    published,
    upvote_figure,
)


def html_list_page(spec: PageSpec) -> str:
    """A daily, weekly, monthly or search page of `spec` as HTML."""
    out = [
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Daily Papers</title></head><body>',
        "<div>new</div>",
        "<div>Get trending papers in your email inbox once a day!</div>",
        "<div>Get trending papers in your email inbox!</div>",
        f'<div><a href="{HF}/login?next=%2Fpapers">Subscribe</a></div>',
        "<h1>Daily Papers</h1>",
        f'<h2>by <a href="{HF}/akhaliq">AK</a> and the research community</h2>',
        "<div>Daily</div><div>Weekly</div><div>Monthly</div>",
        f"<div>{escape(page_label(spec))}</div>",
    ]
    for card in spec.cards:
        rec = card.record
        paper = f"{HF}/papers/{rec['arxiv_id']}"
        login = f"{HF}/login?next={quote('/papers/' + rec['arxiv_id'], safe='')}"
        out.append("<article>")
        out.append(f'<div><a href="{login}">{upvote_figure(card)}</a></div>')
        out.append(f'<h3><a href="{paper}">{escape(collapse(rec["title"]))}</a></h3>')
        out.append(f'<p><a href="{paper}">{escape(collapse(rec["abstract"]))}</a></p>')
        if rec["org"]:
            handle = escape(rec["org_handle"])
            name = escape(collapse(rec["org"]))
            out.append(f'<div><a href="{HF}/{handle}"><img alt="{handle}"> {name}</a></div>')
        else:
            out.append(f"<ul><li>{rec['authors']} authors</li></ul>")
        out.append("<div>·</div>")
        shown = escape(card_date(published(card), spec.captured))
        if comments(card):
            shown += f' <a href="{paper}#community">{comments(card)}</a>'
        out.append(f"<div>{shown}</div>")
        out.append("</article>")
    out.append("</body></html>")
    return "\n".join(out)
