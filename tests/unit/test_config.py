"""The settings file: defaults, round trips, unknown keys kept, broken files never fatal."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from paperbrowse.config import ConfigError, Settings, config_path, load_settings, save_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_the_file_lives_in_the_user_config_dir(isolated_dirs: Path) -> None:
    # The autouse fixture points XDG_CONFIG_HOME at a temp dir (platformdirs honours it).
    assert config_path() == isolated_dirs / "config" / "paperbrowse" / "config.toml"


def test_the_env_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert config_path() == tmp_path / "elsewhere" / "config.toml"


def test_a_missing_file_is_the_defaults_without_a_warning(tmp_path: Path) -> None:
    settings, warning = load_settings(tmp_path / "none.toml")
    assert settings == Settings() and settings.theme is None
    assert warning is None


def test_a_saved_theme_reads_back_and_keeps_unknown_tables(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    path.parent.mkdir()
    path.write_text(
        '# written by hand\n[views.mine]\nquery = "pose"\n[browser]\nfont = "x"\n', "utf-8"
    )
    settings, warning = load_settings(path)
    assert warning is None and settings.theme is None
    save_settings(settings.with_theme("catppuccin-latte"), path)
    written = tomllib.loads(path.read_text("utf-8"))
    assert written == {
        "views": {"mine": {"query": "pose"}},
        "browser": {"font": "x", "theme": "catppuccin-latte"},
    }
    again, warning = load_settings(path)
    assert again.theme == "catppuccin-latte" and warning is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # mkstemp's mode, kept by the rename
    save_settings(again.with_theme(None), path)
    assert tomllib.loads(path.read_text("utf-8"))["browser"] == {"font": "x"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[browser\ntheme = 1", "cannot read the settings in"),
        (b"\xff\xfe garbage", "cannot read the settings in"),
        (b'browser = "dark"\n', "[browser] is not a table"),
        (b"[browser]\ntheme = 3\n", "browser.theme should be a theme name"),
    ],
)
def test_a_broken_file_gives_one_line_and_the_defaults(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    settings, warning = load_settings(path)
    assert settings.theme is None
    assert warning is not None and expected in warning and "\n" not in warning
    assert str(path) in warning


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_an_unreadable_file_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[browser]\ntheme = "nord"\n', "utf-8")
    path.chmod(0)
    settings, warning = load_settings(path)
    assert settings.theme is None and warning and "Permission denied" in warning


def test_a_directory_in_the_way_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    settings, warning = load_settings(path)
    assert settings.theme is None and warning and str(path) in warning
    with pytest.raises(ConfigError, match="cannot save the settings in"):
        save_settings(Settings(theme="nord"), path)
