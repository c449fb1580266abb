"""Fixtures of the end-to-end suite. The rig is started once per session, lazily (a test that needs only the
provider starts only the provider), and every process is stopped at the end of the session, failed or not.

Environment:
  FORWARD_AUTH_BIN   the binary under test (default .build/release/forward-auth, relative to the repo root)
  E2E_REQUIRE_FORWARD_AUTH=1   fail (instead of skip) the scenarios when the binary is missing or not usable
  E2E_RUN_DIR        where configs, databases, logs and screenshots go (default: a new temp dir)
  E2E_KEEP=1         keep the run dir even when everything passed
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness import glewlwyd, localclient
from harness.browser import Browser, artifacts_dir
from harness.forward_auth import binary_path, binary_problem
from harness.reporting import call_failed
from harness.stack import Stack

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


_SUMMARY_NOTES = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(_SUMMARY_NOTES, []):
        terminalreporter.write_line(line)


@pytest.fixture
def summary_note(request):
    """Adds a line to the end of the run's output (pytest shows a passing test's prints only with -s)."""
    return request.config.stash.setdefault(_SUMMARY_NOTES, []).append


@pytest.fixture(scope="session")
def run_dir(request):
    d = Path(os.environ.get("E2E_RUN_DIR") or tempfile.mkdtemp(prefix="forward-auth-e2e-"))
    d.mkdir(parents=True, exist_ok=True)
    yield d
    if request.session.testsfailed == 0 and not os.environ.get("E2E_KEEP") and not os.environ.get("E2E_RUN_DIR"):
        shutil.rmtree(d, ignore_errors=True)
    else:
        print(f"\ne2e run dir (configs, logs, screenshots): {d}")


@pytest.fixture(scope="session")
def forward_auth_bin():
    path = binary_path(REPO)
    problem = binary_problem(path)
    if problem:
        if os.environ.get("E2E_REQUIRE_FORWARD_AUTH") == "1":
            pytest.fail(f"forward-auth binary not usable: {problem}")
        pytest.skip(f"forward-auth binary not usable: {problem}")
    return path


@pytest.fixture(scope="session")
def stack(run_dir):
    path = binary_path(REPO)
    s = Stack(run_dir, forward_auth_bin=path)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def provider(stack):
    return stack.start_provider()


@pytest.fixture(autouse=True)
def _provider_descriptors():
    """Before each test: a glewlwyd near its descriptor limit is restarted (harness/glewlwyd.py says why)."""
    for instance in glewlwyd.RUNNING:
        instance.renew_if_leaking()


@pytest.fixture(scope="session")
def app(stack, provider):
    return stack.start_app()


@pytest.fixture(scope="session")
def caddy(stack, app):
    return stack.start_caddy()


@pytest.fixture(scope="session")
def forward_auth(stack, provider, forward_auth_bin):
    return stack.start_forward_auth_main()


@pytest.fixture(scope="session")
def forward_auth_short(stack, provider, forward_auth_bin):
    return stack.start_forward_auth_short()


@pytest.fixture(scope="session")
def forward_auth_mixup(stack, provider, app, forward_auth_bin):
    return stack.start_forward_auth_mixup()


@pytest.fixture(scope="session")
def forward_auth_filtered(stack, provider, forward_auth_bin):
    return stack.start_forward_auth_filtered()


@pytest.fixture(scope="session")
def forward_auth_headers(stack, provider, forward_auth_bin):
    """Sends the upstream-only headers (impersonation, X-Id-Token, X-Auth-Request-Groups); see harness/stack.py."""
    return stack.start_forward_auth_headers()


@pytest.fixture(scope="session")
def forward_auth_prefix(stack, provider, forward_auth_bin):
    """Started with --trust-forwarded-prefix; see harness/stack.py."""
    return stack.start_forward_auth_prefix()


@pytest.fixture(scope="session")
def nginx(stack, app, forward_auth, forward_auth_filtered):
    return stack.start_nginx()


@pytest.fixture(scope="session")
def rig(stack, provider, app, caddy, forward_auth):
    """Provider, app, Caddy and the main forward-auth: what most scenarios need."""
    return stack


@pytest.fixture(scope="session")
def _browser(run_dir):
    b = Browser(run_dir / "browser")
    try:
        yield b
    finally:
        b.quit()


@pytest.fixture
def browser(_browser, request, stack, run_dir):
    """The session's Chromium with no cookies at all (the provider forgets the user too)."""
    _browser.artifacts = artifacts_dir(run_dir / "browser", request.node.name)
    _browser.reset()
    yield _browser
    if call_failed(request):
        shot = _browser.screenshot("failed")
        print(f"\n--- browser at {_browser.url}; screenshot {shot}")
        print(f"--- navigations: {_browser.navigations()}")
        print(f"--- page text:\n{_browser.text()[:1500]}")
        for fa in stack.fa.values():
            print(f"--- {fa.name} log (tail):\n{fa.log(40)}")


@pytest.fixture
def client():
    """A requests session that reaches *.localhost on 127.0.0.1 (and nothing but loopback)."""
    s = localclient.session()
    yield s
    s.close()
