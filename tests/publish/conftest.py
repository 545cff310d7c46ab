"""Fixtures for publisher tests: a fault-injecting server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fault_server import FaultServer


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A fault-injecting HTTP/1.1 server on 127.0.0.1 (answers 200 unless scripted otherwise)."""
    with FaultServer() as server:
        yield server
