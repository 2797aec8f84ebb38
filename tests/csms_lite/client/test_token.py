"""The bearer token: given, or read from the file the caller names."""

from __future__ import annotations

from pathlib import Path

import pytest

from csms_lite.client import NoToken, read_token


def test_given_wins(tmp_path: Path) -> None:
    (tmp_path / "api_token").write_text("stored\n")
    assert read_token("given", tmp_path / "api_token", "hint") == "given"


def test_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "api_token").write_text("stored\n")
    assert read_token(None, tmp_path / "api_token", "hint") == "stored"


def test_missing_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NoToken, match=r"^no API token: pass --token$"):
        read_token("", tmp_path / "api_token", "pass --token")
