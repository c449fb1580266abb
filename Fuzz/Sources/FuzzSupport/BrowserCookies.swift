import ForwardAuth
import ForwardAuthWire

/// What a browser does with cookies, for the fuzz targets. Splitting a `Cookie` header is the server's own
/// `CookieHeader` (the parser under test), not a copy of it.
package enum BrowserCookies {
    /// The `Cookie` header a browser sends back after receiving `setCookies` (deleted cookies left out).
    package static func header(for setCookies: [SetCookie]) -> String {
        setCookies.filter { $0.maxAge > 0 }.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// The cookies the server reads from these `Cookie` headers, with its own parser; nil where it answers 431.
    package static func sent(_ headers: [String]) -> CookieHeader? {
        CookieHeader(headers)
    }

    /// Cookies we set, as the browser sends them back: they always fit the parser's bounds.
    package static func returned(_ setCookies: [SetCookie]) -> CookieHeader {
        guard let cookies = CookieHeader([header(for: setCookies)]) else {
            invariant(false, "cookies we set exceed the Cookie parser's bounds")
            return CookieHeader([])!
        }
        return cookies
    }
}
