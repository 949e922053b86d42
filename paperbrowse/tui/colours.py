"""Readable colours from the theme: every colour the list and detail panes draw comes from a
theme variable (through the panes' CSS), resolved here to a solid colour on its actual
background and, where the theme's own choice is too faint, moved toward black or white until it
reads at WCAG AA.

Contrast is WCAG 2.x's: (L1 + 0.05) / (L2 + 0.05) over relative luminances
(https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio); AA asks 4.5:1 for normal text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rich.style import Style
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.widget import Widget

AA = 4.5
TARGET = 4.7  # a little above AA, so a 256-colour terminal's nearest colours still pass

BLACK = Color(0, 0, 0)
WHITE = Color(255, 255, 255)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: Color) -> float:
    """WCAG relative luminance of an opaque colour, 0 (black) to 1 (white)."""
    return 0.2126 * _channel(colour.r) + 0.7152 * _channel(colour.g) + 0.0722 * _channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def readable(fg: Color, bg: Color, minimum: float = TARGET) -> Color:
    """`fg`, or the nearest blend of it toward black or white that reaches `minimum` on `bg`."""
    if contrast(fg, bg) >= minimum:
        return fg
    pole = BLACK if contrast(BLACK, bg) > contrast(WHITE, bg) else WHITE
    lo, hi = 0.0, 1.0
    for _ in range(12):  # bisect the blend factor
        mid = (lo + hi) / 2
        if contrast(fg.blend(pole, mid), bg) >= minimum:
            hi = mid
        else:
            lo = mid
    return fg.blend(pole, hi)


@dataclass(frozen=True)
class Ink:
    """A resolved pair: opaque foreground and background, plus bold/italic/etc."""

    fg: Color
    bg: Color
    text_style: Style

    @cached_property
    def rich(self) -> Style:
        """As a Rich style (made once: the list draws every cell of a row with one)."""
        return Style(color=self.fg.rich_color, bgcolor=self.bg.rich_color) + self.text_style


def layer(styles: RenderStyles, bg: Color, fg: Color) -> tuple[Color, Color, Style]:
    """Apply one component's CSS (background, color, text-style) over an opaque `bg` and `fg`.

    A translucent background is blended over `bg`; `color: auto N%` is the theme's contrast
    text at that alpha; a translucent colour is blended over the new background."""
    if styles.has_rule("background"):
        bg = bg + styles.background
    if styles.has_rule("auto_color") and styles.auto_color:
        fg = bg + bg.get_contrast_text(styles.color.a)
    elif styles.has_rule("color"):
        fg = bg + styles.color
    text_style = styles.text_style if styles.has_rule("text_style") else Style()
    return bg, fg, text_style


def ink(fg: Color, bg: Color, text_style: Style | None = None) -> Ink:
    """An Ink whose foreground reads on `bg` (see `readable`)."""
    return Ink(readable(fg, bg), bg, text_style or Style())


def readable_colour(widget: Widget) -> Color:
    """The widget's own text colour (its CSS `color` over its background), made readable."""
    base = widget.rich_style
    bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else BLACK
    fg = Color.from_rich_color(base.color) if base.color else bg.get_contrast_text()
    return readable(fg, bg)
