"""Fixtures for the replay tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest


@pytest.fixture
def write_lines(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, lines: Iterable[str | bytes]) -> Path:
        path = tmp_path / name
        data = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
        path.write_bytes(data)
        return path

    return write
