"""Terminal-browser dumps as lynx 2.9 and w3m 0.5.3 really write them (`lynx -dump -width=80`,
`w3m -dump -cols 60` with and without `-o display_link_number=1`) of one small papers page, and
the rules that join their wrapped lines. The expected values are the page's own (its HTML is in
the docstring of each dump's test); the outputs were captured once from the real programs.
"""

from __future__ import annotations

from datetime import date

import pytest

from paperbrowse.pages import parse_text
from paperbrowse.pages.terminal import unwrap

ABSTRACT = (
    '"Long-form" speech recognition needs state-of-the-art accuracy and low latency, as LCM '
    "[23], shows. Code: https://github.com/uw-syfi/Murmur-a-very-long-repository-name-that-does"
    "-not-fit/tree/main/src, and more."
)
TITLE = "MURMUR: An Efficient Inference System for Long-Form ASR that Keeps Going Past the Width"
GEMINI = (
    "In this report, we present the latest model of the Gemini family, trained on "
    "rotating/moving objects."
)

LYNX = """\
   new

   Get trending papers in your email inbox once a day!

                                  Daily Papers

by [1]AK and the research community

   Jun 29

   [2]-

  [3]MURMUR: An Efficient Inference System for Long-Form ASR that Keeps Going
  Past the Width

   [4]"Long-form" speech recognition needs state-of-the-art accuracy and
   low latency, as LCM [23], shows. Code:
   https://github.com/uw-syfi/Murmur-a-very-long-repository-name-that-does
   -not-fit/tree/main/src, and more.
     * 3 authors

   ·

   May 30

   [5]65

  [6]Gemini 1.5: Unlocking multimodal understanding

   [7]In this report, we present the latest model of the Gemini family,
   trained on rotating/moving objects.

   [8]microsoft Microsoft Research

   ·

   Mar 8, 2024 [9]6

References

   1. https://huggingface.co/akhaliq
   2. https://huggingface.co/login?next=/papers/2506.01234
   3. https://huggingface.co/papers/2506.01234
   4. https://huggingface.co/papers/2506.01234
   5. https://huggingface.co/login?next=/papers/2403.05530
   6. https://huggingface.co/papers/2403.05530
   7. https://huggingface.co/papers/2403.05530
   8. https://huggingface.co/microsoft
   9. https://huggingface.co/papers/2403.05530#community
"""
W3M = """\
new
Get trending papers in your email inbox once a day!

Daily Papers

by [1]AK and the research community

Jun 29
[2]-

[3]MURMUR: An Efficient Inference System for Long-Form ASR
that Keeps Going Past the Width

[4]"Long-form" speech recognition needs state-of-the-art
accuracy and low latency, as LCM [23], shows. Code: https:/
/github.com/uw-syfi/
Murmur-a-very-long-repository-name-that-does-not-fit/tree/
main/src, and more.

  • 3 authors

·
May 30
[5]65

[6]Gemini 1.5: Unlocking multimodal understanding

[7]In this report, we present the latest model of the
Gemini family, trained on rotating/moving objects.

[8] Microsoft Research
·
Mar 8, 2024 [9]6

References:

[1] https://huggingface.co/akhaliq
[2] https://huggingface.co/login?next=%2Fpapers%2F2506.01234
[3] https://huggingface.co/papers/2506.01234
[4] https://huggingface.co/papers/2506.01234
[5] https://huggingface.co/login?next=%2Fpapers%2F2403.05530
[6] https://huggingface.co/papers/2403.05530
[7] https://huggingface.co/papers/2403.05530
[8] https://huggingface.co/microsoft
[9] https://huggingface.co/papers/2403.05530#community
"""
W3M_PLAIN = """\
new
Get trending papers in your email inbox once a day!

Daily Papers

by AK and the research community

Jun 29
-

MURMUR: An Efficient Inference System for Long-Form ASR
that Keeps Going Past the Width

"Long-form" speech recognition needs state-of-the-art
accuracy and low latency, as LCM [23], shows. Code: https:/
/github.com/uw-syfi/
Murmur-a-very-long-repository-name-that-does-not-fit/tree/
main/src, and more.

  • 3 authors

·
May 30
65

Gemini 1.5: Unlocking multimodal understanding

In this report, we present the latest model of the Gemini
family, trained on rotating/moving objects.

Microsoft Research
·
Mar 8, 2024 6
0

Gemini 1.6: Unlocking multimodal understanding

In this report, we present the latest model of the Gemini
family, trained on rotating/moving objects.

Microsoft Research
·
Mar 8, 2024 6
1

Gemini 1.7: Unlocking multimodal understanding

In this report, we present the latest model of the Gemini
family, trained on rotating/moving objects.

Microsoft Research
·
Mar 8, 2024 6
2

Gemini 1.8: Unlocking multimodal understanding

In this report, we present the latest model of the Gemini
family, trained on rotating/moving objects.

Microsoft Research
·
Mar 8, 2024 6
3

Gemini 1.9: Unlocking multimodal understanding

In this report, we present the latest model of the Gemini
family, trained on rotating/moving objects.

Microsoft Research
·
Mar 8, 2024 6
"""


def check_cards(text: str, *, links: bool) -> None:
    result = parse_text(text, "dump.txt", year=2026)
    assert (result.syntax, result.warnings) == ("terminal", [])
    murmur, gemini = result.papers[:2]
    assert (murmur.title, murmur.abstract) == (TITLE, ABSTRACT)
    assert (murmur.upvotes, murmur.comments, murmur.authors) == (0, None, 3)
    assert murmur.published == date(2026, 5, 30)
    assert gemini.title == "Gemini 1.5: Unlocking multimodal understanding"
    assert gemini.abstract == GEMINI
    assert (gemini.upvotes, gemini.comments, gemini.org) == (65, 6, "Microsoft Research")
    assert gemini.published == date(2024, 3, 8)
    if links:
        assert (murmur.arxiv_id, gemini.arxiv_id) == ("2506.01234", "2403.05530")
        assert gemini.org_handle == "microsoft"
        repository = "https://github.com/uw-syfi/Murmur-a-very-long-repository-name-that-does"
        assert murmur.links == [repository + "-not-fit/tree/main/src"]


def test_lynx_dump() -> None:
    """lynx indents paragraphs by 3 and list items by 5, cuts a URL longer than the line at the
    line's end, writes `[3]` before link text and a numbered References list."""
    check_cards(LYNX, links=True)


def test_w3m_dump_with_link_numbers() -> None:
    """w3m starts at the first column, breaks a URL after "/" and ":" wherever the line is full,
    writes `[8] Microsoft Research` for a link that began with an image."""
    check_cards(W3M, links=True)


def test_w3m_dump_without_link_numbers() -> None:
    """No links at all: the org line is the name alone (w3m leaves out the avatar)."""
    result = parse_text(W3M_PLAIN, "dump.txt", year=2026)
    assert len(result.papers) == 6
    check_cards(W3M_PLAIN, links=False)
    assert [p.upvotes for p in result.papers[2:]] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        # lynx never breaks at a hyphen: a line ending in one ended before a space.
        (
            ["   " + "word " * 13 + "of high-", "   and low-resource languages"],
            "word " * 13 + "of high- and low-resource languages",
        ),
        # A short line is not a wrapped one.
        (["   ·", "   May 30"], None),
        # A list item's text is not the paragraph above it, full or not.
        (["   " + "x " * 37 + "end", "     * 3 authors"], None),
    ],
)
def test_unwrap(lines: list[str], joined: str | None) -> None:
    width_line = "   " + "word " * 14 + "width"  # sets the page's width to 78
    result = [text for text, _ in unwrap([width_line, "", *lines])][2:]
    if joined is None:
        assert len(result) == len(lines)
    else:
        assert result == [joined]
