"""Markdown clips and terminal dumps of papers pages, modelled on the real captures
../shared/fixtures/pages/trending-markdown.md and search-lynx-dump.txt (see benchmarks/pages.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from benchmarks.page_syntax import (
    HF,
    MONTHS,
    Card,
    PageSpec,
    card_date,
    card_text,
    collapse,
    comments,
    kept_breaks,
    md_escape,
    page_label,
    published,
    stars_figure,
    submitted_on,
    upvote_figure,
    url_of,
    wrap,
)

NO_ALT = "[图片：无替代文本]"  # the clipper's placeholder for an image without alt text


def _href(url: str) -> str:
    """A link target as a page writes it: white space (two API repository links hold a line
    break) percent-encoded."""
    return re.sub(r"\s", lambda m: quote(m.group()), url)


def _login(card: Card) -> str:
    return f"{HF}/login?next={quote('/papers/' + card.record['arxiv_id'], safe='')}"


def _paper(card: Card) -> str:
    return f"{HF}/papers/{card.record['arxiv_id']}"


def _full_date(card: Card) -> str:
    day = published(card)
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


# --- Markdown -----------------------------------------------------------------------------------


def _md_header(spec: PageSpec, title: str) -> list[str]:
    """A converter's header like the real capture's, or a web clipper's YAML front matter."""
    if spec.variant % 2:
        return [
            "---",
            f'title: "{title} - Hugging Face"',
            f'source: "{url_of(spec)}"',
            f"created: {spec.captured.isoformat()}",
            "tags:",
            '  - "clippings"',
            "---",
            "",
        ]
    year = spec.captured.year
    return [
        f"# Hugging Face - {year} - {title}",
        "",
        f"- Source HTML: `raw/html/Hugging Face - {year} - {title}.html`",
        f"- Source URL: {url_of(spec)}",
        "- Generated from: `scripts/fetch_web_text.py`",
        "- Extraction: `structured-html-v2` (headings, links, MathML/TeX and tables; "
        "figures require visual review)",
        "",
        "## Extracted Text",
        "",
        '<a id="source-section-0"></a>',
        "",
    ]


def _md_chrome(heading: str) -> list[str]:
    """The chrome as the real Markdown capture writes it (blank lines included)."""
    return [
        "new\n\n\n",
        "Get trending papers in your email inbox once a day!\n\n\n",
        "Get trending papers in your email inbox!\n\n",
        f"[Subscribe]({HF}/login?next=%2Fpapers)\n\n\n",
        '<a id="source-section-1"></a>\n\n',
        f"# {heading}\n\n\n",
        '<a id="source-section-2"></a>\n\n',
        f"## by[{NO_ALT} AK]({HF}/akhaliq) and the research community\n\n\n",
        "-\n\n-\n\n-\n\n",
    ]


def _md_who(card: Card, shown: str) -> str:
    rec = card.record
    if rec["org"]:
        handle = rec["org_handle"]
        return f"[[图片：{handle}] {md_escape(collapse(rec['org']))}]({HF}/{handle}) · {shown}"
    avatars = "\n\n".join([f"- {NO_ALT}"] * min(rec["authors"], 5))
    return f"{avatars}\n\n- {rec['authors']} authors\n\n· {shown}"


def _md_list(spec: PageSpec) -> str:
    out = _md_header(spec, "Daily Papers") + ["".join(_md_chrome("Daily Papers")), page_label(spec)]
    out.append("")
    for n, card in enumerate(spec.cards, 3):
        rec = card.record
        out += [f"[{upvote_figure(card)}]({_login(card)})", ""]
        out += [f'<a id="source-section-{n}"></a>', ""]
        out += [f"### [{md_escape(kept_breaks(rec['title']))}]({_paper(card)})", "", ""]
        out += [md_escape(kept_breaks(rec["abstract"])), "", ""]
        shown = card_date(published(card), spec.captured)
        if comments(card):
            shown += f" [{comments(card)}]({_paper(card)}#community)"
        out += [_md_who(card, shown), "", ""]
    return "\n".join(out)


def _md_trending(spec: PageSpec) -> str:
    out = _md_header(spec, "Trending Papers") + ["".join(_md_chrome("Trending Papers"))]
    out += ["", "Trending Papers", "", ""]
    section = 3
    for card in spec.cards:
        rec = card.record
        for copy in (0, 1):
            if copy or section > 3:
                out += [f"[{NO_ALT}]({_paper(card)})", ""]
            out += ["Submitted by", "", NO_ALT, "", card.user, "", ""]
            out += [f'<a id="source-section-{section}"></a>', ""]
            section += 1
            out += [f"### [{md_escape(kept_breaks(rec['title']))}]({_paper(card)})", "", ""]
            out += [md_escape(kept_breaks(card_text(spec, card))), "", ""]
            shown = f"Published on {_full_date(card)}" if copy == 0 else _full_date(card)
            out += [_md_who(card, shown), "", ""]
            out += [f"[Upvote\n\n{rec['upvotes']}]({_login(card)})", ""]
            if copy:
                out.append("")
            buttons = []
            if rec["github_repo"]:
                stars = rec["github_stars"]
                label = "GitHub" + (f" {stars_figure(stars)}" if stars is not None else "")
                buttons.append(f"[{label}]({_href(rec['github_repo'])})")
            buttons.append(f"[arXiv Page](https://arxiv.org/abs/{rec['arxiv_id']})")
            out += [" ".join(buttons), "", ""]
    return "\n".join(out)


def _md_paper(spec: PageSpec) -> str:
    card = spec.cards[0]
    rec = card.record
    out = _md_header(spec, f"Paper page - {collapse(rec['title'])}")
    out += [f"# {md_escape(collapse(rec['title']))}", ""]
    out += [f"Published on {card_date(published(card), spec.captured)}", ""]
    out += ["Submitted by", "", f"![]({HF}/avatars/{card.user}.svg)", "", card.user, ""]
    out += [f"on {card_date(submitted_on(card), spec.captured)}", ""]
    out += [f"\\#{card.rank} Paper of the day", ""]
    out += [f"[Upvote\n\n{rec['upvotes']}]({_login(card)})", ""]
    out += ["Authors:", ""]
    out += ["\n\n,\n\n".join(md_escape(name) for name in rec["author_names"]), ""]
    out += ["## Abstract", ""]
    if rec.get("ai_summary"):
        out += [md_escape(kept_breaks(rec["ai_summary"])), ""]
    out += [md_escape(kept_breaks(rec["abstract"])), ""]
    out += [f"[View arXiv page](https://arxiv.org/abs/{rec['arxiv_id']})", ""]
    if rec["github_repo"]:
        stars = rec["github_stars"]
        label = "GitHub" + (f" {stars_figure(stars)}" if stars is not None else "")
        out += [f"[{label}]({_href(rec['github_repo'])})", ""]
    out += ["## Community", "", card.user, "", "Paper submitter", ""]
    out += ["## Models citing this paper 0", ""]
    out += [f"Cite arxiv.org/abs/{rec['arxiv_id']} in a model README.md to link it.", ""]
    return "\n".join(out)


def markdown(spec: PageSpec) -> str:
    """A Markdown clip of the page (source: ../shared/fixtures/pages/trending-markdown.md)."""
    if spec.kind == "trending":
        return _md_trending(spec)
    if spec.kind == "paper":
        return _md_paper(spec)
    return _md_list(spec)


MARKDOWN: Callable[[PageSpec], str] = markdown


# --- terminal dumps ------------------------------------------------------------------------------

MENU = (
    "[[Hugging Face's logo] Hugging Face][1]\n* [ Models ][2]\n* [ Datasets ][3]\n"
    "* [ Spaces ][4]\n* [ Buckets new][5]\n* [ Docs ][6]\n* [ Enterprise ][7]\n* [Pricing][8]\n"
    "* * Website\n    * [ Tasks][9]\n    * [ HuggingChat][10]\n    * [ Collections][11]\n"
    "    * [ Languages][12]\n    * [ Organizations][13]\n  * Community\n    * [ Blog][14]\n"
    "    * [ Posts][15]\n    * [ Daily Papers][16]\n    * [ Learn][17]\n    * [ Discord][18]\n"
    "    * [ Forum][19]\n    * [ GitHub][20]\n  * Solutions\n    * [ Team & Enterprise][21]\n"
    "    * [ Hugging Face PRO][22]\n    * [ Enterprise Support][23]\n"
    "    * [ Inference Providers][24]\n    * [ Inference Endpoints][25]\n"
    "    * [ Storage Buckets][26]\n* [Log In][27]\n* [Sign Up][28]"
)
MENU_TARGETS = (
    "",
    "models",
    "datasets",
    "spaces",
    "storage",
    "docs",
    "enterprise",
    "pricing",
    "tasks",
    "chat",
    "collections",
    "languages",
    "organizations",
    "blog",
    "posts",
    "papers",
    "learn",
    "join/discord",
    "https://discuss.huggingface.co",
    "https://github.com/huggingface",
    "enterprise",
    "pricing#pro",
    "support",
    "inference/models",
    "inference-endpoints",
    "storage",
    "login",
    "join",
    "login?next=%2Fpapers",
    "akhaliq",
)


class _References:
    """The numbered links of a dump: `[text][12]` in the text, `[12]: url` at the end."""

    def __init__(self) -> None:
        self.targets = [t if t.startswith("http") else f"{HF}/{t}" for t in MENU_TARGETS]

    def add(self, url: str) -> int:
        self.targets.append(url)
        return len(self.targets)

    def block(self, text: str, url: str) -> list[str]:
        """A link around a block of text, as the real dump writes it: `[`, the text, `][12]`."""
        number = self.add(url)
        return ["[", "", *wrap(text), "", f"][{number}]"]

    def listing(self) -> list[str]:
        return [f"[{n}]: {url}" for n, url in enumerate(self.targets, 1)]


def _term_header(spec: PageSpec, heading: str) -> list[str]:
    stamp = f"{spec.captured.isoformat()}T16:31:22.135762458+00:00"
    return [
        "# Web source",
        "",
        f"- URL: {url_of(spec)}",
        "- Title: [[Hugging Face's logo] Hugging Face][1]",
        f"- Captured (UTC): {stamp}",
        "",
        "```text",
        MENU,
        "new",
        "",
        "Get trending papers in your email inbox once a day!",
        "",
        "Get trending papers in your email inbox!",
        "",
        "[Subscribe][29]",
        "",
        f"# {heading}",
        "",
        "## by[AK][30] and the research community",
    ]


def _term_who(card: Card, refs: _References, shown: str) -> list[str]:
    rec = card.record
    if rec["org"]:
        number = refs.add(f"{HF}/{rec['org_handle']}")
        return [f"[[{rec['org_handle']}] {collapse(rec['org'])}][{number}]", "·", shown]
    number = refs.add(_paper(card))
    return ["[", f"* {rec['authors']} authors", f"][{number}]", "·", shown]


def _term_title(rec: dict, refs: _References, url: str) -> list[str]:
    number = refs.add(url)
    return wrap(f"[{collapse(rec['title'])}][{number}]", prefix="### ", indent="### ")


def _term_list(spec: PageSpec) -> list[str]:
    refs = _References()
    out = _term_header(spec, "Daily Papers") + ["* Daily", "* Weekly", "* Monthly", ""]
    out.append(page_label(spec))
    for card in spec.cards:
        rec = card.record
        out += ["[", upvote_figure(card), f"][{refs.add(_login(card))}]", ""]
        out += [*_term_title(rec, refs, _paper(card)), ""]
        out += refs.block(rec["abstract"], _paper(card))
        shown = card_date(published(card), spec.captured)
        if comments(card):
            shown += f" [ {comments(card)}][{refs.add(_paper(card) + '#community')}]"
        out += _term_who(card, refs, shown)
    return out + ["", *refs.listing()]


def _term_trending(spec: PageSpec) -> list[str]:
    refs = _References()
    out = _term_header(spec, "Trending Papers") + ["", "Trending Papers", ""]
    for card in spec.cards:
        rec = card.record
        for copy in (0, 1):
            out += ["Submitted by", "", card.user, ""]
            out += [*_term_title(rec, refs, _paper(card)), ""]
            out += [*wrap(card_text(spec, card)), ""]
            shown = f"Published on {_full_date(card)}" if copy == 0 else _full_date(card)
            out += [*_term_who(card, refs, shown), ""]
            out += ["[", "Upvote", "", str(rec["upvotes"]), f"][{refs.add(_login(card))}]", ""]
            buttons = []
            if rec["github_repo"]:
                stars = rec["github_stars"]
                label = "GitHub" + (f" {stars_figure(stars)}" if stars is not None else "")
                buttons.append(f"[{label}][{refs.add(_href(rec['github_repo']))}]")
            arxiv = refs.add(f"https://arxiv.org/abs/{rec['arxiv_id']}")
            buttons.append(f"[arXiv Page][{arxiv}]")
            out += [" ".join(buttons), ""]
    return out + ["", *refs.listing()]


def _term_paper(spec: PageSpec) -> list[str]:
    card = spec.cards[0]
    rec = card.record
    refs = _References()
    out = _term_header(spec, collapse(rec["title"]))[:-4]
    out += [*wrap(collapse(rec["title"]), prefix="# ", indent="# "), ""]
    out += [f"Published on {card_date(published(card), spec.captured)}", ""]
    out += ["Submitted by", "", f"[{card.user}]", "", card.user, ""]
    out += [f"on {card_date(submitted_on(card), spec.captured)}", ""]
    out += [f"#{card.rank} Paper of the day", ""]
    out += ["[", "Upvote", "", str(rec["upvotes"]), f"][{refs.add(_login(card))}]", ""]
    out += ["Authors:", ""]
    for n, name in enumerate(rec["author_names"]):
        out += [name] if n == 0 else [",", name]
    out += ["", "## Abstract", ""]
    if rec.get("ai_summary"):
        out += [*wrap(rec["ai_summary"]), ""]
    out += [*wrap(rec["abstract"]), ""]
    out += [f"[View arXiv page][{refs.add('https://arxiv.org/abs/' + rec['arxiv_id'])}]", ""]
    if rec["github_repo"]:
        stars = rec["github_stars"]
        label = "GitHub" + (f" {stars_figure(stars)}" if stars is not None else "")
        out += [f"[{label}][{refs.add(_href(rec['github_repo']))}]", ""]
    out += ["## Community", "", card.user, "Paper submitter", ""]
    out += [f"Cite arxiv.org/abs/{rec['arxiv_id']} in a model README.md to link it.", ""]
    return out + ["", *refs.listing()]


def terminal(spec: PageSpec) -> str:
    """A terminal-browser dump of the page inside a capture tool's header and fence (source:
    ../shared/fixtures/pages/search-lynx-dump.txt), its link list complete."""
    if spec.kind == "trending":
        lines = _term_trending(spec)
    elif spec.kind == "paper":
        lines = _term_paper(spec)
    else:
        lines = _term_list(spec)
    return "\n".join([*lines, "```"]) + "\n"


TERMINAL: Callable[[PageSpec], str] = terminal
