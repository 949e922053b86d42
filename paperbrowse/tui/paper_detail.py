"""The detail pane: the highlighted paper in full, with query terms highlighted.

The pane is bound to the screen's `item` reactive (`data_bind`): the screen decides what is
shown, the pane only draws it. With the focus (Tab) its movement keys scroll the abstract.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive, reactive
from textual.widgets import Static

from paperbrowse.models import Paper, TriageState
from paperbrowse.render import PaperStyles, paper_renderable
from paperbrowse.text import strip_controls
from paperbrowse.tui.colours import ink, layer
from paperbrowse.tui.commands import bindings


@dataclass(frozen=True)
class DetailItem:
    """What the detail pane shows: a paper, its triage flags, the query's terms, and why it is
    in a Similar list or the For-you view (one line above the paper, or "")."""

    paper: Paper
    state: TriageState
    terms: tuple[str, ...] = ()
    why: str = ""


class DetailBody(Static):
    """The pane's text. A new paper changes its height, and so its virtual size and the pane's:
    the layout pass that placed it set both. Widget's own virtual size asks for one more
    layout of the whole screen when it changes (a second pass after every new paper, which
    arranges the same regions again); here it only repaints."""

    virtual_size = Reactive(Size(0, 0), layout=False)


class PaperDetail(VerticalScroll, can_focus=True):
    """Title, date, byline, counts, ids, sources, summary, abstract and links of one paper.

    Its virtual size (the body's height) is set by the layout pass that placed the body; as
    the body's (`DetailBody`), it does not ask for a second pass. A scrollbar that appears or
    goes still does."""

    BINDINGS = bindings("detail")
    COMPONENT_CLASSES = {
        "paper-detail--title",
        "paper-detail--date",
        "paper-detail--meta",
        "paper-detail--flags",
        "paper-detail--dim",
        "paper-detail--heading",
        "paper-detail--highlight",
        "paper-detail--bar",
    }
    DEFAULT_CSS = """
    PaperDetail { padding: 0 1; background: $background; color: $foreground; }
    PaperDetail > Static { width: 100%; }
    PaperDetail > .paper-detail--title { color: $foreground; text-style: bold; }
    PaperDetail > .paper-detail--date { color: $text-primary; }
    PaperDetail > .paper-detail--meta { color: $foreground; }
    PaperDetail > .paper-detail--flags { color: $text-warning; }
    PaperDetail > .paper-detail--dim { color: $text-muted; }
    PaperDetail > .paper-detail--heading { color: $text-accent; text-style: bold; }
    PaperDetail > .paper-detail--highlight {
        background: $accent; color: $foreground; text-style: bold;
    }
    PaperDetail > .paper-detail--bar { color: $text-primary; }
    """

    item: reactive[DetailItem | None] = reactive(None, always_update=True)
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = DetailBody("", id="detail-body")
        self._styles: PaperStyles | None = None

    def compose(self) -> ComposeResult:
        yield self._body

    @property
    def paper(self) -> Paper | None:
        """The paper shown (None: nothing highlighted)."""
        return self.item.paper if self.item else None

    def watch_item(self, old: DetailItem | None, new: DetailItem | None) -> None:
        self._draw()
        if old is None or new is None or old.paper.id != new.paper.id:
            self.scroll_home(animate=False)

    def _draw(self) -> None:
        item = self.item
        if item is None:
            self._body.update("")
        else:
            shown = paper_renderable(item.paper, item.state, item.terms, self.paper_styles)
            if item.why:
                why = Text(strip_controls(item.why), style=self.paper_styles.heading)
                shown = Group(why, Text(""), shown)
            self._body.update(shown)

    def notify_style_update(self) -> None:
        self._styles = None  # a new theme: redraw in its colours
        super().notify_style_update()
        if self.is_mounted and self.item is not None:
            self.call_later(self._draw)

    @property
    def paper_styles(self) -> PaperStyles:
        """The pane's colours from the theme, each readable (WCAG AA) on the pane."""
        if self._styles is None:
            base = self.rich_style
            bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
            fg = Color.from_rich_color(base.color) if base.color else bg.get_contrast_text()

            def role(name: str) -> Style:
                styles = self.get_component_styles(f"paper-detail--{name}")
                role_bg, role_fg, text_style = layer(styles, bg, fg)
                resolved = ink(role_fg, role_bg, text_style)
                if role_bg == bg:  # no background of its own: keep the pane's
                    return Style(color=resolved.fg.rich_color) + resolved.text_style
                return resolved.rich

            self._styles = PaperStyles(
                title=role("title"),
                date=role("date"),
                meta=role("meta"),
                flags=role("flags"),
                dim=role("dim"),
                heading=role("heading"),
                highlight=role("highlight"),
                bar=role("bar"),
            )
        return self._styles

    # -- actions (with the focus) ----------------------------------------------------------------

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_relative(y=-1, animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_back_to_list(self) -> None:
        self.screen.set_focus(self.screen.query_one("#papers"))
