import ForwardAuth
import ForwardAuthWire

extension BrokerForm {
    /// The form page: every value HTML-escaped, posted by one inline script the CSP admits by its hash (and by a
    /// `<noscript>` button), to the callback's origin alone (`form-action`), never framed, never cached, and
    /// leaving no `Referer`.
    func answer(cookies: [SetCookie]) -> Answer {
        var inputs = ""
        for field in fields {
            inputs +=
                "<input type=\"hidden\" name=\"\(TextEscaping.html(field.name))\" value=\"\(TextEscaping.html(field.value))\">"
        }
        let script = submitsItself ? "<script>\(Self.submitScript)</script>" : ""
        let button = TextEscaping.html(self.button)
        let buttonHTML =
            submitsItself
            ? "<noscript><button type=\"submit\">\(button)</button></noscript>"
            : "<button type=\"submit\">\(button)</button>"
        let html = Page.html(
            title: title, message: message,
            after:
                "\n<form id=\"broker\" method=\"post\" action=\"\(TextEscaping.html(action))\">\(inputs)\(buttonHTML)</form>\(script)"
        )
        var headers = [
            (name: "Content-Type", value: "text/html; charset=utf-8"), (name: "Cache-Control", value: "no-store"),
            (name: "Referrer-Policy", value: "no-referrer"),
            (
                name: "Content-Security-Policy",
                value:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src '\(Self.submitScriptHash)'; form-action \(actionOrigin); frame-ancestors 'none'; base-uri 'none'"
            ),
            (name: "X-Frame-Options", value: "DENY"),
        ]
        headers.append(cookies)
        // 200 where it delivers (a page the browser shows and runs), 403 for a refusal.
        return Answer(status: submitsItself ? 200 : 403, headers: headers, body: html)
    }
}
