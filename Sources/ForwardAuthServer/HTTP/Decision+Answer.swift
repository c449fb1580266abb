import ForwardAuth
import Hummingbird

extension Decision {
    /// Renders a decision.
    func answer(client: ClientKind, accept: String?) -> Answer {
        switch self {
        case .allow(let identity):
            return Answer(status: 200, headers: identity)
        case .redirect(let location, let status, let cookies):
            var headers = [(name: "Location", value: location), (name: "Cache-Control", value: "no-store")]
            headers.append(cookies)
            return Answer(status: status.rawValue, headers: headers)
        case .unauthenticated:
            return APIError.unauthenticatedAnswers[APIError.Format(accept: accept).rawValue]
        case .forbidden:
            // The reason names rules, roles and bindings: it goes to the log line (`Endpoints.finish`), not to
            // the client, who learns nothing about the policy from a refusal.
            if client == .browser { return Self.forbiddenPage }
            return APIError(status: 403, message: "forbidden").answer(accept: accept)
        case .unavailable:
            // The reason names internals (RBAC, tokens): it goes to the log, not to the client.
            if client == .browser {
                return Page(
                    status: 503, title: "Temporarily unavailable",
                    message: "Access cannot be checked right now. Please try again in a moment."
                ).answer(cookies: [])
            }
            var answer = APIError(status: 503, message: "Access cannot be checked right now.").answer(accept: accept)
            answer.headers.append((name: "Retry-After", value: "5"))
            return answer
        case .badRequest(let reason, let tooLarge):
            return APIError(status: tooLarge ? 431 : 400, message: "Bad request: \(reason).").answer(
                accept: "text/plain")
        case .loginFailed(let failure, let cookies):
            return failure.page.answer(cookies: cookies)
        case .signedOut(let cookies):
            return Page.signedOut.answer(cookies: cookies)
        case .brokerForm(let form, let cookies):
            return form.answer(cookies: cookies)
        case .navigate(let location, let cookies):
            return Self.navigation(to: location, cookies: cookies)
        }
    }
}

extension Decision {
    /// `Decision.navigate`: a page that goes on to `location` by itself (no script: a meta refresh), with a link
    /// for a browser that does not follow it.
    static func navigation(to location: String, cookies: [SetCookie]) -> Answer {
        let url = TextEscaping.html(location)
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=\(url)">
            <title>Signing you in</title></head>
            <body><p><a href="\(url)">Continue</a></p></body></html>

            """
        var headers = [
            (name: "Content-Type", value: "text/html; charset=utf-8"), (name: "Cache-Control", value: "no-store"),
            (name: "Referrer-Policy", value: "no-referrer"),
            (name: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'"),
        ]
        headers.append(cookies)
        return Answer(status: 200, headers: headers, body: html)
    }

    static let forbiddenPage = Page(
        status: 403, title: "Access denied", message: "You are signed in, but not allowed to open this page."
    ).answer(cookies: [])
}

extension [(name: String, value: String)] {
    mutating func append(_ cookies: [SetCookie]) {
        for cookie in cookies {
            append((name: "Set-Cookie", value: cookie.headerValue))
        }
    }
}

extension SetCookie {
    /// The `Set-Cookie` value, attributes in a fixed order (Hummingbird's `Cookie` kept them in a dictionary,
    /// so their order changed from process to process, and building it was a tenth of a login redirect).
    /// Measured, then written once.
    var headerValue: String {
        let maxAge = String(maxAge)
        var length = name.utf8.count + 1 + value.utf8.count + 10 + maxAge.utf8.count + 7 + path.utf8.count
        if let domain { length += 9 + domain.utf8.count }
        if secure { length += 8 }
        if httpOnly { length += 10 }
        if let sameSite { length += 11 + sameSite.rawValue.utf8.count }
        return String(unsafeUninitializedCapacity: length) { memory in
            var out = ByteWriter(memory)
            out.write(name)
            out.write("=")
            out.write(value)
            out.write("; Max-Age=")
            out.write(maxAge)
            if let domain {
                out.write("; Domain=")
                out.write(domain)
            }
            out.write("; Path=")
            out.write(path)
            if secure { out.write("; Secure") }
            if httpOnly { out.write("; HttpOnly") }
            if let sameSite {
                out.write("; SameSite=")
                out.write(sameSite.rawValue)
            }
            return out.offset
        }
    }
}
