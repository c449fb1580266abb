import ForwardAuth

extension Page {
    /// A small self-contained HTML page (no scripts, no external resources) with the decision's status, and its link
    /// when it offers a way on.
    func answer(cookies: [SetCookie]) -> Answer {
        let linkHTML =
            link.map { "<p><a href=\"\(TextEscaping.html($0.url))\">\(TextEscaping.html($0.text))</a></p>" } ?? ""
        let html = Self.html(title: title, message: message, after: linkHTML)
        var headers = [
            (name: "Content-Type", value: "text/html; charset=utf-8"), (name: "Cache-Control", value: "no-store"),
            (name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'"),
        ]
        headers.append(cookies)
        return Answer(status: status, headers: headers, body: html)
    }

    /// The page's HTML: `title` as its heading, `message` below it, then `after` (markup, already escaped).
    static func html(title: String, message: String, after: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(TextEscaping.html(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
        h1{font-size:1.4rem}p{line-height:1.5}</style></head>
        <body><h1>\(TextEscaping.html(title))</h1><p>\(TextEscaping.html(message))</p>\(after)</body></html>

        """
    }
}
