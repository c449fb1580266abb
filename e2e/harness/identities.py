"""The people and the client the rig's provider knows. Passwords are test data for a provider bound to 127.0.0.1."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    username: str
    email: str
    password: str
    name: str
    groups: list[str] = field(default_factory=list)
    email_verified: bool = True


ALICE = User("alice", "alice@example.com", "alice-wonderland-1", "Alice Example", ["devs", "ops"])
BOB = User("bob", "bob@example.com", "bob-builder-22", "Bob Example", [])
# Carol's address is not verified: forward-auth must refuse her (email_verified false).
CAROL = User("carol", "carol@example.com", "carol-singer-333", "Carol Example", ["devs"], email_verified=False)

# Dave is in hundreds of groups, as people in large directories are: his groups overflow into the claims cookies,
# and together they outgrow what nginx accepts in one request header unless forward-auth filters them.
DAVE = User("dave", "dave@example.com", "dave-directory-4444", "Dave Example",
            [f"org-wide-distribution-list-{i:03d}" for i in range(400)] + ["ops"])

USERS = [ALICE, BOB, CAROL, DAVE]

CLIENT_ID = "forward-auth"
# A second confidential client: the attached cluster's own Dex client in the SSO broker scenarios
# (tests/test_sso_broker.py), where the UI cluster's instance uses CLIENT_ID.
ATTACHED_CLIENT_ID = "forward-auth-attached"
# Scopes forward-auth asks for by default (COMPAT.md: "openid profile email groups").
SCOPES = ["openid", "profile", "email", "groups"]

# Plugin instances of the provider: the issuer forward-auth trusts, and a second one (another issuer, another key)
# for the wrong-issuer cases.
PLUGIN_MAIN = "oidc"
PLUGIN_OTHER = "oidc2"
