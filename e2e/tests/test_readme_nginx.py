"""README.md's nginx snippet, as written, run by a real nginx (issue 15): a browser logs in through it, the app sees
the user, logout signs out; a client without a session is sent to the login start (never a 500); and nothing but
the exact `/_oauth`, `/_oauth/logout` and `/_oauth/start` reaches forward-auth directly.

The snippet is the one ```nginx fenced block under README.md's "## nginx wiring" heading (the test fails when that
heading or block is missing, or when the section holds more than one). It holds `location` blocks only; the test
places it, as it is, inside
    http { upstream app { server 127.0.0.1:<app port>; }
           server { listen 127.0.0.1:<port>; server_name readme-nginx.apps.localhost; <the snippet> } }
(plus the rig's usual pid, temp paths, logs and a default server answering 404; see harness/proxies.py
`nginx_main_conf`), so its `proxy_pass http://app;` works as written. The ONE substitution: the snippet's
forward-auth address `127.0.0.1:4181` becomes the address of the rig's forward-auth "main" (cookie domain
apps.localhost; harness/stack.py registers http://readme-nginx.apps.localhost:<port>/_oauth at the provider).
Lines are re-indented to sit inside `server {}`; nothing else changes.

E2E_README=/path/to/a/copy.md reads the snippet from another file (to check that a broken snippet fails these
tests without touching README.md).
"""
from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

import pytest

from harness.identities import ALICE
from harness.procs import LOOPBACK
from harness.proxies import nginx_main_conf
from harness.stack import README_NGINX

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
HEADING = "## nginx wiring"
README_FA_ADDRESS = "127.0.0.1:4181"  # how the snippet addresses forward-auth
SESSION_COOKIE = "_forward_auth"  # forward-auth "main"'s session cookie
# What the snippet routes to forward-auth itself, each exact, and what must go through the check instead.
EXACT_PATHS = ("/_oauth", "/_oauth/logout", "/_oauth/start")
NOT_THE_CALLBACK = ("/_oauth/auth", "/_oauth/anything", "/_oauth/", "/_oauth/auth?code=c&state=s")


def readme_path() -> Path:
    return Path(os.environ["E2E_README"]) if os.environ.get("E2E_README") else README


def nginx_snippet(markdown: str, source: str = "README.md") -> str:
    """The body of the one ```nginx fenced block in the "## nginx wiring" section (up to the next heading of
    level 1 or 2); fails the test when the heading or the block is missing, or either is there twice."""
    sections: list[list[str]] = []  # the lines of each section headed HEADING
    current: list[str] | None = None
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence is None and re.match(r"#{1,2}\s", line):
            current = [] if stripped == HEADING else None
            if current is not None:
                sections.append(current)
            continue
        if fence is None and stripped.startswith("```"):
            fence = "```"
        elif fence is not None and stripped == fence:
            fence = None
        if current is not None:
            current.append(line)
    if len(sections) != 1:
        pytest.fail(f"{source}: {len(sections)} sections headed {HEADING!r}, want exactly 1")
    blocks: list[list[str]] = []  # the ```nginx blocks of that section
    in_fence, target = False, None
    for line in sections[0]:
        stripped = line.strip()
        if not in_fence and stripped.startswith("```"):
            in_fence, target = True, None
            if stripped[3:].strip().split(" ")[0] == "nginx":
                target = []
                blocks.append(target)
        elif in_fence and stripped == "```":
            in_fence, target = False, None
        elif target is not None:
            target.append(line)
    if len(blocks) != 1:
        pytest.fail(f"{source}: {len(blocks)} ```nginx blocks under {HEADING!r}, want exactly 1")
    return "\n".join(blocks[0]) + "\n"


def readme_nginx_conf(snippet: str, *, port: int, host: str, app_port: int, fa_port: int, state_dir: Path,
                      log_dir: Path) -> str:
    """The whole nginx.conf around the snippet (see the module docstring): the snippet's directives as written,
    but for forward-auth's address."""
    assert README_FA_ADDRESS in snippet, f"the snippet no longer addresses forward-auth as {README_FA_ADDRESS}"
    body = snippet.replace(README_FA_ADDRESS, f"{LOOPBACK}:{fa_port}")
    placed = "".join(f"\t\t{line}\n" if line.strip() else "\n" for line in body.splitlines())
    http_body = f"""
	upstream app {{
		server {LOOPBACK}:{app_port};
	}}
	server {{
		listen {LOOPBACK}:{port};
		server_name {host};
		# ---- README.md, "{HEADING}" (forward-auth's address replaced) ----
{placed}		# ---- end of README.md's snippet ----
	}}
"""
    return nginx_main_conf(port, http_body, state_dir, log_dir, name="nginx-readme")


@pytest.fixture(scope="module")
def snippet() -> str:
    path = readme_path()
    return nginx_snippet(path.read_text(), str(path))


@pytest.fixture(scope="module")
def readme_nginx(stack, app, forward_auth, snippet):
    conf = readme_nginx_conf(snippet, port=stack.ports.readme_nginx, host=README_NGINX, app_port=stack.ports.app,
                             fa_port=forward_auth.port, state_dir=stack.run_dir / "nginx-readme",
                             log_dir=stack.log_dir)
    n = stack.start_readme_nginx(conf)
    try:
        yield n
    finally:
        n.stop()


def netloc(stack) -> str:
    return f"{README_NGINX}:{stack.ports.readme_nginx}"


def url(stack, path: str) -> str:
    return f"http://{netloc(stack)}{path}"


def login_start(stack, path: str) -> str:
    """Where the snippet's `location @login` sends a request for `path` without a session."""
    return f"http://{netloc(stack)}/_oauth/start?rd=http://{netloc(stack)}{path}"


def nginx_trouble(n) -> list[str]:
    """The error log's lines at level error or worse (auth_request's "unexpected status", upstream failures...)."""
    return [line for line in n.error_log().splitlines()
            if re.search(r"\[(error|crit|alert|emerg)\]", line)]


def test_the_snippet_is_placed_as_written(stack, snippet, readme_nginx):
    """Every directive line of the snippet is in the running config as written (forward-auth's address aside), and
    it routes what the README says: the check at forward-auth's `/`, the app through `upstream app`."""
    conf = (readme_nginx.dir / "nginx.conf").read_text()
    fa = f"{LOOPBACK}:{stack.fa['main'].port}"
    for line in snippet.splitlines():
        if line.strip():
            assert line.strip().replace(README_FA_ADDRESS, fa) in conf, line
    assert "proxy_pass http://app;" in snippet
    for path in EXACT_PATHS:
        assert re.search(rf"location\s+=\s+{re.escape(path)}\s*\{{", snippet), f"no exact location for {path}"
    # The auth subrequest's location: forward-auth's `/` (the request line `/`, the only one answered with the
    # upstream-only headers) with X-Forward-Auth-Redirect off (the old /_oauth/auth would still log in).
    target = re.search(r"auth_request\s+(\S+);", snippet)
    assert target, "no auth_request in the snippet"
    check = re.search(rf"location\s+=\s+{re.escape(target.group(1))}\s*\{{([^}}]*)\}}", snippet)
    assert check, f"no exact location for the auth subrequest {target.group(1)}"
    assert re.search(rf"proxy_pass\s+http://{re.escape(README_FA_ADDRESS)}/;", check.group(1)), check.group(1)
    assert re.search(r"proxy_set_header\s+X-Forward-Auth-Redirect\s+off;", check.group(1)), check.group(1)


def test_login_through_the_readme_snippet_then_logout(stack, readme_nginx, browser):
    """The browser opens an app page through the snippet, logs in at the provider; the callback (`/_oauth`) is a
    302 (not a 400), the app sees X-Forwarded-User; `/_oauth/auth` and `/_oauth/anything` are app pages like any
    other (through the check, never forward-auth's callback); `/_oauth/logout` signs out."""
    here = netloc(stack)
    browser.get(url(stack, "/hello/readme?x=1"))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    # Back on this host: the app, or whatever the callback answered instead.
    browser.wait_until(lambda: browser.host == here and (browser.app_data() is not None or
                                                         (browser.text() and "/_oauth?" in browser.url)),
                       "the app page (or the callback's answer)")
    navigations = browser.navigations()
    callbacks = [(u, s) for u, s in navigations if u.startswith(f"http://{here}/_oauth?")]
    assert callbacks and all(s == 302 for _, s in callbacks), \
        (f"the callback answered {[s for _, s in callbacks]}, not a 302: {browser.text()[:300]!r}; "
         f"nginx errors: {nginx_trouble(readme_nginx)}; navigations: {navigations}")
    data = browser.wait_app(host=here)
    assert data["user"] == ALICE.email, data
    assert data["headers"].get("X-Forwarded-User") == [ALICE.email], data["headers"]
    assert data["path"] == "/hello/readme" and data["query"] == "x=1", data
    assert data["host"] == "app", "the snippet's `proxy_pass http://app;` sends Host: app"
    assert browser.cookies(SESSION_COOKIE), browser.cookies()

    for path in NOT_THE_CALLBACK:
        browser.get(url(stack, path))
        data = browser.wait_app(host=here, timeout=10)
        want_path, _, want_query = path.partition("?")
        assert (data["path"], data["query"]) == (want_path, want_query), (path, data)
        assert data["user"] == ALICE.email, (path, data)
    assert all(urllib.parse.urlsplit(u).netloc != stack.provider_netloc for u, _ in browser.navigations())

    browser.get(url(stack, "/_oauth/logout"))
    browser.wait_until(lambda: browser.host == here and browser.text() and browser.app_data() is None,
                       "the signed-out page")
    assert not browser.cookies(SESSION_COOKIE), browser.cookies()
    browser.get(url(stack, "/again"))
    assert browser.wait_provider(stack.provider_netloc) in ("form", "continue")
    assert not nginx_trouble(readme_nginx), nginx_trouble(readme_nginx)


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
@pytest.mark.parametrize("path", ["/", "/api/items?page=2", *NOT_THE_CALLBACK])
def test_without_a_session_a_client_is_sent_to_the_login_start(stack, readme_nginx, client, path, accept):
    """nginx's auth_request gets 401 from the check (X-Forward-Auth-Redirect: off), and `error_page 401 = @login`
    redirects to /_oauth/start with the return URL, for an API client (`Accept: application/json`) and a browser's
    `Accept` alike; never a 500 (what a redirect from the check would become), and for the `/_oauth/...` paths
    never forward-auth itself (its callback, or the old check at /_oauth/auth answering 401)."""
    r = client.get(url(stack, path), allow_redirects=False, headers={"Accept": accept})
    assert r.status_code == 302, (path, r.status_code, r.text[:300], nginx_trouble(readme_nginx))
    assert r.headers["Location"] == login_start(stack, path), (path, r.headers)
    assert "X-Forwarded-User" not in r.headers


def test_the_login_start_sends_a_browser_to_the_provider(stack, readme_nginx, client):
    """`/_oauth/start?rd=...` (the target of @login) reaches forward-auth, which answers with the provider's
    authorization URL whose redirect_uri is this host's callback."""
    r = client.get(login_start(stack, "/x"), allow_redirects=False, headers={"Accept": "text/html"})
    assert r.status_code == 302, (r.status_code, r.text[:300], nginx_trouble(readme_nginx))
    location = r.headers["Location"]
    assert location.startswith(f"http://{stack.provider_netloc}/"), location
    assert f"redirect_uri=http%3A%2F%2F{README_NGINX}%3A{stack.ports.readme_nginx}%2F_oauth" in location, location


def test_no_nginx_errors(readme_nginx):
    assert not nginx_trouble(readme_nginx), nginx_trouble(readme_nginx)
