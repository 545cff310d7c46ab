"""``mapper test``: mapping scripts checked against stored input/expected-output cases.

:func:`discover` finds scripts and cases on disk, :func:`run_tests` runs them on the real engine;
:mod:`~mapper.mapping_tests.expectations` compares outputs and renders diffs.
"""

from mapper.mapping_tests.discovery import MappingTestCase, ScriptTests, TestsConfig, discover
from mapper.mapping_tests.runner import CaseResult, TestRun, infer_direction, run_tests

__all__ = [
    "CaseResult",
    "MappingTestCase",
    "ScriptTests",
    "TestRun",
    "TestsConfig",
    "discover",
    "infer_direction",
    "run_tests",
]
