"""What a fixture prints after a test that failed: one test of "did it fail", for every fixture that reports."""
from __future__ import annotations

from typing import Any, Callable


def call_failed(request) -> bool:
    """Whether the test's own call failed (conftest.py's `pytest_runtest_makereport` keeps it as `rep_call`)."""
    rep = getattr(request.node, "rep_call", None)
    return rep is not None and rep.failed


def logs_when_failed(request, fixture: str, logs: Callable[[Any], str]) -> None:
    """Prints `logs(rig)` for the rig fixture named `fixture`, when the test used it and failed."""
    if call_failed(request) and fixture in request.fixturenames:
        print(f"\n{logs(request.getfixturevalue(fixture))}")
