"""End-to-end harness for forward-auth: a real OIDC provider (glewlwyd), real proxies (Caddy, nginx),
a sample upstream app and a real browser (Chromium through Selenium). Everything listens on 127.0.0.1."""
