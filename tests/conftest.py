"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
MAPPINGS = REPO_ROOT / "mappings"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
