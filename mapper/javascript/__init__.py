"""Sandboxed, Ditto-compatible JavaScript mapping (QuickJS)."""

from mapper.javascript.engine import MappingEngine, check_script
from mapper.javascript.limits import SandboxLimits

__all__ = ["MappingEngine", "SandboxLimits", "check_script"]
