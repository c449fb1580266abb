import ForwardAuth
import HTTPTypes
import Hummingbird

extension Decision {
    /// Renders a decision. `.login` must have been resolved by the login flow before; it renders as 503 if not.
    func response(client: ClientKind, accept: String?) -> Response {
        switch self {
        case .allow(let identity):
            var headers = HTTPFields()
            headers.reserveCapacity(identity.count)
            for header in identity {
                if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
            }
            return Response(status: .ok, headers: headers)
        case .redirect(let location, let status, let cookies):
            var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
            headers.append(cookies)
            return Response(status: .init(code: status.rawValue), headers: headers)
        case .login:
            return Page(
                status: 503, title: "Sign-in unavailable",
                message: "The identity provider is not reachable right now. Please try again in a moment."
            ).response(cookies: [])
        case .unauthenticated, .verifyBearer:
            var response = APIError.unauthenticated.response(accept: accept)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        case .forbidden(let reason, _):
            if client == .browser {
                return Page(
                    status: 403, title: "Access denied",
                    message: "You are signed in, but not allowed to open this page (\(reason))."
                ).response(cookies: [])
            }
            return APIError(status: .forbidden, message: "Access denied: \(reason).").response(accept: accept)
        case .unavailable:
            // The reason names internals (RBAC, tokens): it goes to the log, not to the client.
            if client == .browser {
                return Page(
                    status: 503, title: "Temporarily unavailable",
                    message: "Access cannot be checked right now. Please try again in a moment."
                ).response(cookies: [])
            }
            var response = APIError(status: .serviceUnavailable, message: "Access cannot be checked right now.")
                .response(accept: accept)
            response.headers[.retryAfter] = "5"
            return response
        case .badRequest(let reason, let tooLarge):
            let status: HTTPResponse.Status = tooLarge ? .requestHeaderFieldsTooLarge : .badRequest
            return APIError(status: status, message: "Bad request: \(reason).").response(accept: "text/plain")
        case .page(let page, let cookies):
            return page.response(cookies: cookies)
        }
    }
}

extension HTTPFields {
    mutating func append(_ cookies: [SetCookie]) {
        for cookie in cookies {
            append(HTTPField(name: .setCookie, value: cookie.headerValue))
        }
    }
}

extension SetCookie {
    /// The `Set-Cookie` value, formatted by Hummingbird's `Cookie`.
    var headerValue: String {
        Cookie(
            name: name, value: value, maxAge: maxAge, domain: domain, path: path, secure: secure, httpOnly: httpOnly,
            sameSite: sameSiteLax ? .lax : .strict
        ).description
    }
}
