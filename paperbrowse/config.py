"""The settings file: `config.toml` in the user config dir (platformdirs), read with `tomllib`.

    # ~/.config/paperbrowse/config.toml on Linux
    [browser]
    theme = "catppuccin-latte"

Settings are a small typed record (`Settings`); unknown tables and keys are kept as they are
when the file is written again, so a newer paperbrowse's settings (saved views, later) survive
an older one. A file that cannot be read or parsed never stops paperbrowse: `load_settings`
returns the defaults and a one-line warning naming the file. Writes replace the file
atomically (a temporary file renamed over it), readable by the user only.
This module must not import Textual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from paperbrowse.paths import APP_NAME, atomic_write, ensure_private_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = "config.toml"
ENV_CONFIG_DIR = "PAPERBROWSE_CONFIG_DIR"


class ConfigError(Exception):
    """The settings file cannot be written; the message names it and says why."""


def config_path() -> Path:
    """Where the settings live: `$PAPERBROWSE_CONFIG_DIR/config.toml`, else `config.toml` in
    platformdirs' user config dir (`~/.config/paperbrowse` on Linux, `XDG_CONFIG_HOME` honoured).
    """
    override = os.environ.get(ENV_CONFIG_DIR)
    base = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )
    return base / CONFIG_FILE


@dataclass(frozen=True)
class Settings:
    """What paperbrowse remembers between runs.

    - `theme`: the browser's Textual theme name (None: Textual's default, `textual-dark`).
    - `extra`: every other table and key of the file, kept verbatim for the next write.
    """

    theme: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_theme(self, theme: str | None) -> Settings:
        """A copy with another theme."""
        return replace(self, theme=theme)

    def to_toml_dict(self) -> dict[str, Any]:
        """The document to write: `extra`, with the `[browser]` table updated."""
        document = {key: _copy(value) for key, value in self.extra.items()}
        browser = dict(document.get("browser") or {})
        if self.theme:
            browser["theme"] = self.theme
        else:
            browser.pop("theme", None)
        if browser:
            document["browser"] = browser
        else:
            document.pop("browser", None)
        return document


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_settings(document: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a parsed TOML document, and a warning per value of the wrong type
    (that value is ignored)."""
    warnings: list[str] = []
    browser = document.get("browser", {})
    theme: str | None = None
    if not isinstance(browser, Mapping):
        warnings.append("[browser] is not a table; ignored")
        browser = {}
    value = browser.get("theme")
    if isinstance(value, str) and value.strip():
        theme = value.strip()
    elif value is not None:
        warnings.append(f"browser.theme should be a theme name, not {value!r}; ignored")
    return Settings(theme=theme, extra=dict(document)), warnings


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The settings in `path` (default: `config_path()`), and a one-line warning or None.

    A missing file is the defaults, silently. An unreadable or malformed file is the defaults
    with a warning like `cannot read the settings in /…/config.toml (line 2, …); using defaults`.
    """
    path = path or config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Settings(), None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Settings(), f"cannot read the settings in {path} ({reason}); using defaults"
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Settings(), f"cannot read the settings in {path} ({reason}); using defaults"
    settings, problems = parse_settings(document)
    warning = f"settings in {path}: {'; '.join(problems)}" if problems else None
    return settings, warning


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write `settings` to `path` (default: `config_path()`) atomically; the path written.

    Raises ConfigError (one line, naming the file) when it cannot be written.
    """
    import tomli_w

    path = path or config_path()
    text = tomli_w.dumps(settings.to_toml_dict())
    try:
        ensure_private_dir(path.parent)
        atomic_write(path, text.encode("utf-8"), prefix=".config-", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot save the settings in {path}: {exc.strerror or exc}") from None
    return path
