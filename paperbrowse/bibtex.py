"""BibTeX entries that are safe TeX: what a title says is what LaTeX typesets, nothing more.

Titles come from untrusted captures. Everything is escaped as text except inline math that
real titles use (`$\\cdot$`, `$\\alpha$-Flow`, `$O(n^2)$`, `$\\mathbf{x}$`), and math passes
only when every command in it is on an allow-list of math commands and every other character
is one math needs: `$\\end{document}$`, `$a % b$`, `$x # y$` or `$a & b$` come out as escaped
text. Which `$` pairs are math follows Pandoc's rule for `tex_math_dollars` (the Pandoc User's
Guide, "Math"): the opening `$` has a non-space character right after it, the closing `$` a
non-space character right before it and no digit right after it, so two amounts of money
(`for $5 to $50`) stay text.

With an arXiv id the entry carries `eprint`, `archivePrefix = {arXiv}` and the abstract page as
`url`, as arXiv's own "Export BibTeX citation" writes them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Text escapes: each character TeX or BibTeX would read specially.
TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",  # not \{ : BibTeX counts every brace, escaped or not
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In TeX's default OT1 font encoding these typeset as ¡, ¿ and an em dash.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# A title already written in TeX (`\$OneMillion-Bench`, `R\&D`) means the character itself.
_TEX_ESCAPED = re.compile(r"\\([$&%#_])")

_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
_SYMBOLS = (
    "cdot times div pm mp circ bullet star ast oplus otimes odot leq le geq ge neq ne approx sim "
    "simeq cong equiv propto ll gg in notin ni subset subseteq supset supseteq cup cap setminus "
    "to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto uparrow "
    "downarrow longrightarrow infty partial nabla ell hbar prime emptyset varnothing forall "
    "exists neg lnot wedge vee land lor mid parallel perp angle ldots cdots dots vdots ddots "
    "sum prod int oint bigcup bigcap bigoplus bigotimes langle rangle lfloor rfloor lceil "
    "rceil vert Vert lvert rvert lVert rVert backslash checkmark dagger ddagger top bot"
)
_FUNCTIONS = "log ln exp sin cos tan min max arg lim sup inf det dim mod bmod pmod deg Pr"
_STRUCTURE = (
    "mathbf mathcal mathrm mathit mathbb mathsf mathtt mathfrak mathscr boldsymbol bm text "
    "textbf textit textrm textsf texttt textsc emph operatorname hat tilde bar vec dot ddot "
    "widehat widetilde overline underline overrightarrow frac dfrac tfrac sqrt left right big "
    "Big bigg Bigg quad qquad"
)
# Every TeX command a title's math may use: notation, never anything that reads or writes
# files, defines macros or ends the document.
MATH_COMMANDS = frozenset(f"{_GREEK} {_SYMBOLS} {_FUNCTIONS} {_STRUCTURE}".split())
# Besides letters and digits (any script: `$μ$LO`, `$τ$-bench`), the characters math needs.
MATH_CHARACTERS = frozenset(" +-=<>()[],.;:/|'!*?^_{}")
_MATH_SPACING = frozenset(",;:! ")  # \, \; \: \! and "\ "

# An arXiv identifier (arXiv's "Understanding the arXiv identifier"): YYMM.NNNN(N) since
# 2007, archive(.SC)/YYMMNNN before, either with an optional version.
ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")

# Words skipped when choosing the word a citation key starts with.
_STOPWORD_TEXT = (
    "a an the on of in for to and or with via from by at as is are towards toward into "
    "using how what why when do does can your our we"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def stopword(word: str) -> bool:
    """True for a lowercase word a citation key never starts with (`a`, `the`, `towards`...)."""
    return word in _STOPWORDS


def escape_text(text: str) -> str:
    """Text with every character TeX or BibTeX reads specially escaped.

    `\\$`, `\\&`, `\\%`, `\\#`, `\\_` already escaped in the title stay the character they
    stand for.
    """
    parts = _TEX_ESCAPED.split(text)
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # the character of a TeX escape
            out.append(TEXT_ESCAPES[part])
        else:
            out.append("".join(TEXT_ESCAPES.get(ch, ch) for ch in part))
    return "".join(out)


def is_safe_math(body: str) -> bool:
    """True when `body` (what stands between the dollars) uses only allowed math.

    Commands must be in MATH_COMMANDS (or TeX's spacing `\\,` `\\;` `\\:` `\\!`), every other
    character a letter, a digit or one of MATH_CHARACTERS, braces balanced, and no `^^`
    (TeX reads `^^5c` as a backslash, which would smuggle a command in).
    """
    if not body.strip() or "^^" in body:
        return False
    depth = 0
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            name = re.match(r"[A-Za-z]+", body[i + 1 :])
            if name:
                if name.group() not in MATH_COMMANDS:
                    return False
                i += 1 + len(name.group())
                continue
            if i + 1 < len(body) and body[i + 1] in _MATH_SPACING:
                i += 2
                continue
            return False
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
        elif not (ch.isalnum() or ch in MATH_CHARACTERS):
            return False
        i += 1
    return depth == 0


def math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each `$…$` that is math by Pandoc's rule and allowed by is_safe_math;
    `end` is just past the closing dollar."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] != "$" or (i > 0 and text[i - 1] == "\\"):
            i += 1
            continue
        if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == "$":
            i += 1
            continue
        close = _closing_dollar(text, i + 1)
        if close is not None and is_safe_math(text[i + 1 : close]):
            spans.append((i, close + 1))
            i = close + 1
        else:
            i += 1
    return spans


def _closing_dollar(text: str, start: int) -> int | None:
    """The first `$` after `start` that can close math: non-space before, no digit after."""
    j = text.find("$", start)
    while j != -1:
        after = text[j + 1] if j + 1 < len(text) else ""
        if not text[j - 1].isspace() and not after.isdigit():
            return j
        j = text.find("$", j + 1)
    return None


def bib_title(title: str) -> str:
    """A title for BibTeX: allowed math passes verbatim, everything else is escaped text."""
    parts: list[str] = []
    pos = 0
    for start, end in math_spans(title):
        parts.append(escape_text(title[pos:start]))
        parts.append(title[start:end])
        pos = end
    parts.append(escape_text(title[pos:]))
    return "".join(parts)


def ascii_word(text: str) -> str:
    """Text folded to lowercase ASCII letters and digits only."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bib_url(url: str) -> str:
    """A URL made safe inside a brace-delimited BibTeX field."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def arxiv_id(value: str | None) -> str | None:
    """`value` when it is a well-formed arXiv identifier, else None (never written)."""
    if value and ARXIV_ID.fullmatch(value.strip()):
        return value.strip()
    return None


def bib_name(name: str) -> str:
    """One author name for an `author` field, escaped. A name BibTeX would split or reorder
    (one holding the word `and` or a comma) is braced whole, so it stays one name as written."""
    text = escape_text(" ".join(name.split()))
    if "," in text or re.search(r"(?i)(^|\s)and(\s|$)", text):
        return "{" + text + "}"
    return text


def bib_entry(
    key: str,
    title: str,
    published: date | None,
    url: str,
    note: str,
    eprint: str | None = None,
    authors: list[str] | None = None,
    primary_class: str | None = None,
    year: int | None = None,
) -> str:
    """One `@misc` entry. `title`, `note` and `authors` (names as `Given Family`) are plain
    text (escaped here), `url` an http(s) URL, `eprint` an arXiv id (checked: anything else is
    left out), `primary_class` its arXiv category (`cs.LG`, written only with `eprint`),
    `year` the year to cite when it is not `published`'s.

    Fields in arXiv's order: title, author, year, eprint, archivePrefix, primaryClass, url,
    then our note."""
    fields = [f"  title = {{{{{bib_title(title)}}}}}"]
    names = [bib_name(n) for n in authors or [] if n.strip()]
    if names:
        fields.append(f"  author = {{{' and '.join(names)}}}")
    if year is None and published:
        year = published.year
    if year:
        fields.append(f"  year = {{{year}}}")
    eprint = arxiv_id(eprint)
    if eprint:
        fields.append(f"  eprint = {{{eprint}}}")
        fields.append("  archivePrefix = {arXiv}")
        if primary_class and re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", primary_class):
            fields.append(f"  primaryClass = {{{primary_class}}}")
        url = f"https://arxiv.org/abs/{eprint}"
    fields.append(f"  url = {{{bib_url(url)}}}")
    fields.append(f"  note = {{{escape_text(note)}}}")
    return f"@misc{{{key},\n" + ",\n".join(fields) + "\n}\n"
