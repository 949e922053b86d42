"""Key bursts never crash the browser: keys that arrive faster than the browser handles them
(a terminal delivers `tmux send-keys C-p PageDown` in one read) are replayed here the same way,
posted all at once without waiting for each to be handled, over every key the browser binds
and the command palette's keys, from seeded random sequences (a failure names its seed)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual import events
from textual.command import CommandList, CommandPalette, Hits
from textual.pilot import Pilot
from textual.system_commands import SystemCommandsProvider
from textual.widgets import Input

from paperbrowse.models import Filters
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.commands import ACTIONS
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle

MakeApp = Callable[..., PaperBrowser]

# The palette's and the modals' keys, and some text to type into the palette and the filter.
PALETTE_KEYS = ["ctrl+p", "pagedown", "pageup", "up", "down", "enter", "escape", "backspace"]
TEXT_KEYS = list("readstmxpq") + ["tab", "shift+tab", "ctrl+home", "ctrl+end"]


def browser_keys() -> list[str]:
    """Every key of the one action table (both scopes), so keys added later are covered."""
    keys = {key for action in ACTIONS for key in action.keys.split(",")}
    return sorted(keys | set(PALETTE_KEYS) | set(TEXT_KEYS))


def key_event(key: str) -> events.Key:
    """The event a terminal driver posts for `key` (a printable key carries its character)."""
    characters = {"space": " ", "slash": "/", "question_mark": "?"}
    character = key if len(key) == 1 else characters.get(key)
    return events.Key(key, character)


async def burst(pilot: Pilot[Any], keys: Iterable[str]) -> None:
    """Post `keys` to the app in one go, as a terminal read does, then let it handle them."""
    app = pilot.app
    for key in keys:
        app.post_message(key_event(key))
    for _ in range(3):
        await pilot.pause(0.05)


@contextmanager
def exits_recorded(app: PaperBrowser) -> Iterator[list[object]]:
    """Within the block, the app's exits (Enter, q) are recorded rather than done: a burst that
    quits on purpose is not a crash, and the test goes on. A crash still ends the app."""
    exits: list[object] = []

    def record(result: object = None, return_code: int = 0, message: object = None) -> None:
        exits.append(result)

    app.exit = record  # type: ignore[method-assign]
    try:
        yield exits
    finally:
        del app.exit  # the class's own again, so that the test can close the app


@pytest.mark.parametrize("seed", range(6))
async def test_random_key_bursts_never_crash_the_browser(make_app: MakeApp, seed: int) -> None:
    rng = random.Random(seed)
    keys = browser_keys()
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with exits_recorded(app):
            for _ in range(12):
                sequence = [rng.choice(keys) for _ in range(rng.randint(5, 40))]
                if rng.random() < 0.5:
                    sequence.insert(0, "ctrl+p")  # the palette is where Textual's races live
                await burst(pilot, sequence)
                assert app.is_running and app.return_code is None, f"seed {seed}: {sequence}"


async def test_page_down_right_after_opening_the_palette(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for first, then in [("pagedown", "pageup"), ("pageup", "pagedown")]:
            await burst(pilot, ["ctrl+p", first, then, first])
            assert app.is_running and isinstance(app.screen, CommandPalette)
            await burst(pilot, ["escape"])
            assert isinstance(app.screen, MainScreen)


async def test_typing_then_escape_in_one_burst_closes_the_palette(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(5):
            await burst(pilot, ["ctrl+p", "s", "t", "a", "escape", "ctrl+p", "r", "escape"])
            assert app.is_running and isinstance(app.screen, MainScreen)
        assert app.return_code is None


async def test_enter_enter_right_after_opening_the_palette_keeps_the_browser(
    make_app: MakeApp,
) -> None:
    """The tester's `NoMatches: No nodes match 'PaperList'`: the second Enter dismissed the
    palette a second time, popping the main screen, and the command then ran on it."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with exits_recorded(app) as exits:
            for _ in range(3):
                await burst(pilot, ["ctrl+p", "enter", "enter"])
                await settle(pilot)
                assert app.is_running and isinstance(app.screen, MainScreen)
                await burst(pilot, ["escape"])
        assert exits == []


async def test_actions_on_a_closed_main_screen_do_nothing(make_app: MakeApp) -> None:
    """A palette command, worker result or timer that reaches a main screen after it was
    closed (and lost its list) does nothing, for every action of the table."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        old = app.screen
        assert isinstance(old, MainScreen)
        with exits_recorded(app) as exits:
            await app.switch_screen(app.main_screen())
            await settle(pilot)
            assert not old.query(PaperList)
            for action in ACTIONS:
                await old.run_action(action.action)
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, MainScreen)
        assert exits == []


async def palette_prompts(app: PaperBrowser, attempts: int = 100) -> list[str]:
    """The palette's entries once its search settled (its list stops changing)."""
    commands = app.screen.query_one(CommandList)
    before: list[str] | None = None
    for _ in range(attempts):
        await asyncio.sleep(0.05)
        now = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        if now and now == before:
            return now
        before = now
    return before or []


async def test_accept_and_quit_are_not_the_palettes_first_entries(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        prompts = await palette_prompts(app)
        assert prompts, "the palette lists its commands before anything is typed"
        assert not any(p.startswith(("Accept", "Quit")) for p in prompts), prompts
        await pilot.press(*"accept")  # still there, by name
        prompts = await palette_prompts(app)
        assert prompts[0].startswith("Accept (Enter)"), prompts


@pytest.fixture
def slow_palette_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The palette's search takes a while (a loaded machine): keys typed ahead arrive first."""
    search = SystemCommandsProvider.search

    async def slow(self: SystemCommandsProvider, query: str) -> Hits:
        await asyncio.sleep(0.3)
        async for hit in search(self, query):
            yield hit

    monkeypatch.setattr(SystemCommandsProvider, "search", slow)


@pytest.mark.usefixtures("slow_palette_search")
async def test_enter_typed_ahead_in_the_palette_runs_the_best_match_for_the_text(
    make_app: MakeApp,
) -> None:
    """`Ctrl+P r e a d Enter` in one burst: before, Enter ran the first entry of the list shown
    for the empty text (Accept: the browser printed a paper and quit). Now it runs the best
    match for "read" (Read, `r`) once the palette has found it."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        paper = screen.current
        assert paper is not None
        with exits_recorded(app) as exits:
            await burst(pilot, ["ctrl+p", *"read", "enter"])
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, MainScreen):
                    break
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
        assert exits == [], "Enter ran Accept or Quit"
        assert app.triage.get(paper.id).read


@pytest.mark.usefixtures("slow_palette_search")
async def test_enter_typed_ahead_with_no_match_does_nothing(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with exits_recorded(app) as exits:
            await burst(pilot, ["ctrl+p", *"zzqzz", "enter"])
            await palette_prompts(app)
            assert isinstance(app.screen, CommandPalette)
            await burst(pilot, ["escape"])
            assert isinstance(app.screen, MainScreen)
        assert exits == []
        assert not app.triage.ids_with("read")


@pytest.mark.parametrize(
    "keys", [["enter", "n"], ["enter", "ctrl+s"], ["q", "n"], ["q", "ctrl+s"], ["enter", "t"]]
)
async def test_a_key_right_after_enter_or_q_neither_crashes_nor_loses_the_selection(
    make_app: MakeApp, keys: list[str]
) -> None:
    """A tester's `Enter n` burst: the note editor opened on an app that was shutting down
    (`NoMatches: TextArea on NoteEditor`), exit 1 and the accepted paper never printed."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, keys)
    if keys[0] == "enter":
        assert app.return_code == 0
        assert app.return_value, "the accepted paper is lost"
    else:
        assert app.return_code == 1


@pytest.mark.parametrize("how", ["press", "burst"])
@pytest.mark.parametrize(
    ("keys", "typed"),
    [
        (["slash", "ctrl+u", *"title:survey"], "title:survey"),
        (["slash", "ctrl+u", *"survey", "home", *"title:"], "title:survey"),
        (["slash", "end", *" hand", "ctrl+w", *"body"], "pose body"),
    ],
)
async def test_keys_typed_after_ctrl_u_go_to_the_filter_in_order(
    make_app: MakeApp, how: str, keys: list[str], typed: str
) -> None:
    """`/`, Ctrl+U (empty the filter) and a query typed in one burst: the query lands in the
    filter whole and in order; so do the input's other editing keys (Home, Ctrl+W)."""
    app = make_app(Filters(state="all", query="pose"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        if how == "press":
            await pilot.press(*keys)
        else:
            await burst(pilot, keys)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one("#query", Input).value == typed
