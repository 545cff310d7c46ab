"""The sandbox limits of a mapping engine, with Ditto's defaults.

Ditto's ``ditto.connectivity.mapping.javascript`` configuration has ``maxScriptSizeBytes``
(50,000, counted in characters per script), ``maxScriptExecutionTime`` (500 ms of wall-clock time
per call) and ``maxScriptStackDepth`` (25 nested calls in Rhino). mapper adds a memory limit,
which Ditto lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapper.errors import ConfigError

# QuickJS limits the C stack in bytes, not in frames. A plain JS frame takes about 1.7 KiB of C
# stack here (measured: 38 nested calls fit in 64 KiB); 10 KiB per allowed frame leaves room for
# frames with many locals and for native helpers (JSON.stringify of nested values) on the way,
# so ``max_stack_depth`` nested calls always fit and endless recursion stops after ~150 calls.
STACK_BYTES_PER_FRAME = 10 * 1024


@dataclass(frozen=True)
class SandboxLimits:
    """Limits applied to every mapping script (Ditto's defaults, plus a memory limit)."""

    max_script_chars: int = 50_000
    """Ditto ``maxScriptSizeBytes``: characters per script, checked when the script is loaded."""
    timeout_ms: int = 500
    """Ditto ``maxScriptExecutionTime``: wall-clock milliseconds per call (per message)."""
    max_stack_depth: int = 25
    """Ditto ``maxScriptStackDepth``: nested calls that must always fit (see ``stack_size_bytes``)."""
    memory_limit_bytes: int = 64 * 1024 * 1024
    """Memory of one QuickJS runtime (one per thread and direction), including the scripts."""
    max_results: int = 10
    """Messages one input message may map to, in each direction."""

    def __post_init__(self) -> None:
        for name in (
            "max_script_chars",
            "timeout_ms",
            "max_stack_depth",
            "memory_limit_bytes",
            "max_results",
        ):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ConfigError(f"must be a positive integer, got {value!r}", path=name)
        if self.memory_limit_bytes < 4 * 1024 * 1024:
            # The runtime itself, the Ditto scope and the driver need about 1 MiB.
            raise ConfigError("must be at least 4 MiB", path="memory_limit_bytes")

    @property
    def stack_size_bytes(self) -> int:
        """The QuickJS stack limit in bytes that ``max_stack_depth`` maps to."""
        return self.max_stack_depth * STACK_BYTES_PER_FRAME

    @property
    def timeout_seconds(self) -> float:
        """``timeout_ms`` in seconds."""
        return self.timeout_ms / 1000.0
