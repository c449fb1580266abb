"""The checks of scripts/test-go-cookies: Go-minted cookies judged by the forward-auth binary, and the rollout's
crossings between an old pod (e2e/go-cookies serve, on the real gorilla libraries) and a new one.

Every request is Traefik's subrequest (GET with X-Forwarded-*), sent without following redirects. Each check prints
one line; the first failure stops the run with exit 1."""
import argparse
import http.client
import json
import os
import struct
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench.d"))
from mint_cookie import mint as mint_forward_auth_cookie  # noqa: E402

parser = argparse.ArgumentParser()
for name in ("go-cookies", "new", "off", "old", "provider"):
    parser.add_argument("--" + name, required=True)
args = parser.parse_args()

HOST = "app.example.com"
PAGE = "/page?tab=1"
HTML = "text/html,application/xhtml+xml"
JSON = "application/json"


class Answer:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.getheaders()
        self.body = response.read().decode(errors="replace")

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def first(self, name):
        values = self.all(name)
        return values[0] if values else None

    def set_cookies(self):
        """name -> (value, attributes text) of each Set-Cookie."""
        out = {}
        for header in self.all("Set-Cookie"):
            pair, _, attributes = header.partition(";")
            name, _, value = pair.partition("=")
            out[name.strip()] = (value.strip(), attributes)
        return out


def ask(base, cookies=None, accept=HTML, uri=PAGE):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST,
               "X-Forwarded-Uri": uri, "Accept": accept}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection.request("GET", "/", headers=headers)
    answer = Answer(connection.getresponse())
    connection.close()
    return answer


def check(condition, what, answer=None):
    if not condition:
        detail = f" (got {answer.status}, {answer.headers}, {answer.body[:200]!r})" if answer else ""
        print(f"FAIL: {what}{detail}")
        sys.exit(1)
    print(f"ok: {what}")


def mint(*flags):
    out = subprocess.run([args.go_cookies, "mint", *flags], check=True, capture_output=True, text=True).stdout
    minted = json.loads(out)
    return {"_forward_auth": minted["id"], "_forward_auth_claims": minted["claims"]}


def go_reads(cookies):
    """What the real libraries (the old pod) make of these cookies; None when they refuse them."""
    run = subprocess.run([args.go_cookies, "read", "-id", cookies.get("_forward_auth", ""),
                          "-claims", cookies.get("_forward_auth_claims", "")], capture_output=True, text=True)
    return json.loads(run.stdout) if run.returncode == 0 else None


def signed_in_as(answer, email):
    return answer.status == 200 and answer.first("X-Forwarded-User") == email


def login_redirect(answer):
    location = answer.first("Location") or ""
    return answer.status == 302 and location.startswith(args.provider + "/auth")


def state_of(answer):
    query = urllib.parse.urlsplit(answer.first("Location")).query
    return urllib.parse.parse_qs(query)["state"][0]


# 1. The fork's session, sealed by the real libraries with this run's random keys.
alice = mint("-email", "alice@example.com", "-name", "Alice Example", "-group", "admins", "-group", "devs")
check(go_reads(alice) == {"email": "alice@example.com", "token": "", "username": "Alice Example",
                          "groups": ["admins", "devs"]}, "the real gorilla libraries read back what they minted")
answer = ask(args.new, alice)
check(signed_in_as(answer, "alice@example.com"), "a new pod accepts the Go session", answer)
check(answer.first("Impersonate-User") == "alice@example.com"
      and answer.all("Impersonate-Group") == ["system:authenticated", "oidc:admins", "oidc:devs"],
      "with the groups from the Go claims cookie (impersonation headers)", answer)
check(signed_in_as(ask(args.old, alice), "alice@example.com"), "an old pod accepts the same session")
answer = ask(args.new, alice, accept=JSON)
check(signed_in_as(answer, "alice@example.com"), "an API client with the Go session passes too", answer)
token = mint("-email", "alice@example.com", "-token", "eyJhbGciOiJub25lIn0.e30.", "-group", "devs")
check(signed_in_as(ask(args.new, token), "alice@example.com"), "a Go session that kept an ID token opens")

# The new pod counted each check a Go session passed: three above.
with urllib.request.urlopen(args.new.rstrip("/") + "/metrics", timeout=10) as response:
    series = [line for line in response.read().decode().splitlines() if line.startswith("forward_auth_go_sessions_total")]
check(series and float(series[0].split()[-1]) == 3, f"forward_auth_go_sessions_total counts them ({series})")

# 2. What must not open.
answer = ask(args.off, alice)
check(login_redirect(answer), "accept-go-cookies=false: the browser logs in", answer)
answer = ask(args.off, alice, accept=JSON)
check(answer.status == 401, "accept-go-cookies=false: an API client gets 401", answer)
tampered = dict(alice)
value = tampered["_forward_auth"].rstrip("=")
tampered["_forward_auth"] = value[:-8] + ("A" if value[-8] != "A" else "B") + value[-7:] + "=" * (
    len(tampered["_forward_auth"]) - len(value))
check(go_reads(tampered) is None, "the real libraries refuse the tampered ID cookie")
answer = ask(args.new, tampered)
check(login_redirect(answer), "a tampered Go ID cookie: login", answer)
check(ask(args.new, tampered, accept=JSON).status == 401, "a tampered Go ID cookie: 401 for an API client")
bob = mint("-email", "bob@example.com", "-group", "admins")
grafted = {"_forward_auth": mint("-email", "alice@example.com", "-group", "devs")["_forward_auth"],
           "_forward_auth_claims": bob["_forward_auth_claims"]}
check(go_reads(grafted) is not None, "the fork would take another user's claims cookie (its reader does not compare)")
check(login_redirect(ask(args.new, grafted)), "forward-auth refuses another user's claims cookie: login")
for shape in ("id-extra-field", "id-trailing-byte", "claims-extra-entry"):
    odd = mint("-email", "alice@example.com", "-group", "devs", "-shape", shape)
    check(login_redirect(ask(args.new, odd)), f"a payload of another shape ({shape}): login")
check(login_redirect(ask(args.new, {"_forward_auth": alice["_forward_auth"]})),
      "a Go ID cookie without its claims cookie: login, as the fork does")

# 3. The rollout. A browser with a new session meets an old pod, which cannot read it.
secret, key = os.environ["SECRET"].encode(), os.environ["ENCRYPTION_KEY"].encode()
material = struct.pack(">I", len(secret)) + secret + key
carol = {"_forward_auth": mint_forward_auth_cookie(material, "carol@example.com", groups=("devs",))}
check(signed_in_as(ask(args.new, carol), "carol@example.com"), "a new pod accepts its own session")
answer = ask(args.old, carol)
check(login_redirect(answer), "an old pod cannot read it and starts its own login", answer)
go_state = state_of(answer)
go_csrf = answer.set_cookies()["_forward_auth_csrf"][0]
check(len(go_csrf) == 32 and go_state.startswith(go_csrf + ":https://app.example.com/page"),
      "the old pod's state is nonce:url, the nonce in _forward_auth_csrf")
cleared = answer.set_cookies().get("_forward_auth_claims")
check(cleared is not None and "Max-Age=0" in cleared[1], "the old pod clears the claims cookie as it starts")
callback = f"/_oauth?code=abc&state={urllib.parse.quote(go_state)}"
with_csrf = dict(carol, _forward_auth_csrf=go_csrf)

# 3a. The provider sends that login back to a new pod: a page, not a redirect, not a loop.
answer = ask(args.new, with_csrf, uri=callback)
check(answer.status == 401 and answer.first("Location") is None and "<html" in answer.body.lower(),
      "Go's login, callback on a new pod: a 401 page, no redirect", answer)
# 3b. Or to an old pod: signed in with Go cookies, which the new pods accept.
answer = ask(args.old, with_csrf, uri=callback)
check(answer.status == 307 and answer.first("Location") == "https://app.example.com/page?tab=1",
      "Go's login, callback on an old pod: 307 back to the page", answer)
fresh = {name: value for name, (value, _) in answer.set_cookies().items()
         if name in ("_forward_auth", "_forward_auth_claims")}
check(signed_in_as(ask(args.new, fresh), "alice@example.com"), "the new pods accept the session the old pod wrote")

# 3c. A new pod starts a login (no session) and the provider sends it back to an old pod.
answer = ask(args.new, {"_forward_auth_csrf": go_csrf})
check(login_redirect(answer), "a new pod starts a login", answer)
ours = {name: value for name, (value, _) in answer.set_cookies().items() if name.startswith("_forward_auth_csrf.")}
check(len(ours) == 1 and "_forward_auth_csrf" not in answer.set_cookies(),
      "its login state lives in _forward_auth_csrf.<id>, beside Go's _forward_auth_csrf")
callback = f"/_oauth?code=abc&state={urllib.parse.quote(state_of(answer))}"
answer = ask(args.old, dict(ours, _forward_auth_csrf=go_csrf), uri=callback)
check(answer.status == 401 and answer.first("Location") is None,
      "new login, callback on an old pod: 401 Not authorized, no redirect", answer)
answer = ask(args.old, dict(ours), uri=callback)
check(answer.status == 401 and answer.first("Location") is None,
      "new login, callback on an old pod without Go's CSRF cookie: 401 too", answer)
print("all go-cookies checks passed")
