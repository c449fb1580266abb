"""Debian's headless Chromium driven by Selenium, logging in at the provider like a person would.

Chromium and chromedriver are passed explicitly (else Selenium Manager tries to download a browser). As root
Chromium needs --no-sandbox. Every host name other than loopback ones fails to resolve (--host-resolver-rules),
so nothing the browser does can leave the machine, even if a redirect points elsewhere.
"""
from __future__ import annotations

import base64
import json
import os
import time
import urllib.parse
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from .identities import User

CHROMIUM_BIN = "/usr/bin/chromium"
CHROMEDRIVER_BIN = "/usr/bin/chromedriver"

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,900",
    "--no-proxy-server", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
    "--password-store=basic", "--use-mock-keychain", "--disable-features=Translate,OptimizationHints,MediaRouter",
    # Only loopback names resolve; everything else is NOTFOUND.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1",
]


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self, artifacts_dir: Path, page_timeout: float = 20.0):
        self.artifacts = Path(artifacts_dir)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM_BIN
        for a in CHROMIUM_ARGS:
            opts.add_argument(a)
        opts.add_argument(f"--user-data-dir={self.artifacts / 'chromium-profile'}")
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # to read HTTP statuses of navigations
        service = Service(CHROMEDRIVER_BIN, log_output=str(self.artifacts / "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=opts)
        self.driver.set_page_load_timeout(page_timeout)
        self.timeout = page_timeout
        # Chromium's performance log is drained by every read: each consumer keeps its own backlog.
        self._nav_backlog: list[dict] = []
        self._request_backlog: list[dict] = []

    def quit(self) -> None:
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    # ---- state -----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every cookie (the provider's session too) and show a blank page."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        self.driver.get("about:blank")
        self.navigations()
        self.requests()

    def _drain_performance_log(self) -> None:
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            method = msg.get("method")
            if method == "Network.requestWillBeSent":
                self._request_backlog.append(msg)
                self._nav_backlog.append(msg)
            elif method == "Network.responseReceived":
                self._nav_backlog.append(msg)

    def requests(self) -> list[dict]:
        """Every request the browser sent since the last call (documents, redirects, XHR, assets), in order:
        {"method", "url", "type", "post_data"}; a redirect is a request of its own."""
        self._drain_performance_log()
        msgs, self._request_backlog = self._request_backlog, []
        out = []
        for msg in msgs:
            params = msg.get("params", {})
            req = params.get("request", {})
            post = req.get("postData")
            if post is None and req.get("postDataEntries"):  # newer Chromium: base64 chunks instead
                post = "".join(base64.b64decode(e.get("bytes", "")).decode(errors="replace")
                               for e in req["postDataEntries"])
            out.append({"method": req.get("method"), "url": req.get("url"), "type": params.get("type"),
                        "post_data": post})
        return out

    def navigations(self) -> list[tuple[str, int]]:
        """(url, status) of every document response and redirect since the last call, in order."""
        self._drain_performance_log()
        msgs, self._nav_backlog = self._nav_backlog, []
        out = []
        for msg in msgs:
            params = msg.get("params", {})
            if msg.get("method") == "Network.requestWillBeSent" and params.get("redirectResponse") \
                    and params.get("type") == "Document":
                out.append((params["redirectResponse"]["url"], params["redirectResponse"]["status"]))
            elif msg.get("method") == "Network.responseReceived" and params.get("type") == "Document":
                out.append((params["response"]["url"], params["response"]["status"]))
        return out

    def cookies(self, name: str | None = None) -> list[dict]:
        all_cookies = self.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
        return [c for c in all_cookies if name is None or c["name"] == name]

    def set_cookie(self, cookie: dict, **changes) -> None:
        """Set a cookie through CDP (any domain, no need to be on the page); `changes` override fields.
        A cookie without a leading dot in its domain is set host-only (through `url`)."""
        c = {**cookie, **changes}
        params = {k: c[k] for k in ("name", "value", "path", "secure", "httpOnly") if k in c}
        if c["domain"].startswith("."):
            params["domain"] = c["domain"]
        else:
            params["url"] = f"http://{c['domain']}{c.get('path', '/')}"
        if c.get("sameSite"):
            params["sameSite"] = c["sameSite"]
        if not c.get("session", True) and c.get("expires", -1) > 0:
            params["expires"] = c["expires"]
        if not self.driver.execute_cdp_cmd("Network.setCookie", params).get("success", True):
            raise BrowserError(f"Chromium refused cookie {params}")

    def delete_cookie(self, name: str, domain: str, path: str = "/") -> None:
        self.driver.execute_cdp_cmd("Network.deleteCookies", {"name": name, "domain": domain, "path": path})

    # ---- navigation ------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.driver.current_url

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).netloc

    def get(self, url: str) -> None:
        self.driver.get(url)

    def reload(self) -> None:
        self.driver.refresh()

    def text(self) -> str:
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except (NoSuchElementException, StaleElementReferenceException):
            return ""

    def wait_until(self, predicate, what: str, timeout: float | None = None):
        deadline = time.monotonic() + (timeout or self.timeout)
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except (NoSuchElementException, StaleElementReferenceException, WebDriverException) as e:
                last_error = e
            time.sleep(0.1)
        shot = self.screenshot("timeout")
        raise BrowserError(f"timed out waiting for {what}; at {self.url}; screenshot {shot}; "
                           f"page text: {self.text()[:600]!r}; last error: {last_error!r}")

    def screenshot(self, tag: str) -> str:
        path = self.artifacts / f"{int(time.time() * 1000)}-{tag}.png"
        try:
            self.driver.save_screenshot(str(path))
        except WebDriverException:
            return "(none)"
        return str(path)

    # ---- the sample app --------------------------------------------------------------------------------------
    def app_data(self) -> dict | None:
        """The JSON the sample app embeds in its page, or None when this is not an app page."""
        try:
            el = self.driver.find_element(By.ID, "data")
        except NoSuchElementException:
            return None
        return json.loads(el.get_attribute("textContent"))

    def wait_app(self, host: str | None = None, timeout: float | None = None) -> dict:
        def ready():
            data = self.app_data()
            if data is None:
                return None
            if host is not None and self.host != host:
                return None
            return data
        return self.wait_until(ready, f"the sample app page{' on ' + host if host else ''}", timeout)

    # ---- the provider (glewlwyd's login page) ----------------------------------------------------------------
    def _visible_button(self, label: str):
        for b in self.driver.find_elements(By.TAG_NAME, "button"):
            if b.is_displayed() and b.text.strip() == label:
                return b
        return None

    def _password_form(self):
        els = self.driver.find_elements(By.ID, "password")
        return els[0] if els and els[0].is_displayed() else None

    def provider_state(self, provider_netloc: str) -> str | None:
        """'form' (asks for a password), 'continue' (session known, one click), 'elsewhere' or None (loading)."""
        if self.host != provider_netloc:
            return "elsewhere"
        if self._password_form() is not None:
            return "form"
        if self._visible_button("Continue") is not None:
            return "continue"
        return None

    def wait_provider(self, provider_netloc: str) -> str:
        return self.wait_until(lambda: self.provider_state(provider_netloc) not in (None, "elsewhere")
                               and self.provider_state(provider_netloc),
                               f"the provider's login page at {provider_netloc}")

    def login_at_provider(self, provider_netloc: str, user: User, expect_password: bool | None = True) -> str:
        """On the provider's page: type the user's name and password like a person (when asked), then click
        "Continue"; return the state first seen ('form' or 'continue') once the browser has left the provider."""
        first = self.wait_provider(provider_netloc)
        if expect_password is True and first != "form":
            raise BrowserError(f"the provider did not ask for a password (state {first}) at {self.url}")
        if expect_password is False and first != "continue":
            raise BrowserError(f"the provider asked for a password again at {self.url}")
        if first == "form":
            username = self.driver.find_element(By.ID, "username")
            username.clear()
            for ch in user.username:
                username.send_keys(ch)
            password = self._password_form()
            for ch in user.password:
                password.send_keys(ch)
            self.driver.find_element(By.ID, "loginbut").click()
            self.wait_until(lambda: self.provider_state(provider_netloc) in ("continue", "elsewhere"),
                            "the provider to accept the password")
        if self.provider_state(provider_netloc) == "continue":
            self._visible_button("Continue").click()
        self.wait_until(lambda: self.host != provider_netloc, "the provider to send the browser back")
        return first


def artifacts_dir(base: Path, test_name: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in test_name)
    d = Path(base) / safe
    os.makedirs(d, exist_ok=True)
    return d
