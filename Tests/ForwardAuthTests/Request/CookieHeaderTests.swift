import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// How `Cookie` headers split into pairs (RFC 6265 §5.4 cookie-string, as browsers send it, and what they
/// should not send).
@Suite struct CookieHeaderTests {
    @Test(
        arguments: [
            (["a=1; b=2"], "b", "2"),
            (["a=1", "b=2"], "b", "2"),
            (["  a=1;\tb=2  "], "b", "2"),
            (["a=\"quoted\""], "a", "quoted"),
            (["a=\""], "a", "\""),
            (["a=x=y"], "a", "x=y"),
            ([";;a=1;;"], "a", "1"),
            (["a=1; noequals; b=2"], "b", "2"),
            (["a=1; =nameless; b=2"], "b", "2"),
            (["a=1; a=2"], "a", "1"),
            (["é=ü; b=€"], "b", "€"),
            (["é=ü"], "é", "ü"),
            (["a="], "a", ""),
        ] as [([String], String, String)])
    func pairs(headers: [String], name: String, value: String) throws {
        let cookies = try #require(CookieHeader(headers))
        #expect(cookies.value(name) == value)
    }

    @Test func missingNamesAreNil() throws {
        let cookies = try #require(CookieHeader(["a=1; b=2; =3"]))
        #expect(cookies.value("c") == nil)
        #expect(cookies.value("") == nil)
        #expect(cookies.value("A") == nil)
        // A name keeps trailing blanks (browsers never send them); it is not another cookie's name.
        #expect(try #require(CookieHeader(["x =1"])).value("x") == nil)
    }

    @Test func namesByPrefix() throws {
        let cookies = try #require(CookieHeader(["_forward_auth_csrf.a=1; other=2; _forward_auth_csrf.b=3"]))
        #expect(cookies.names(withPrefix: "_forward_auth_csrf.") == ["_forward_auth_csrf.a", "_forward_auth_csrf.b"])
    }

    @Test func tooManyOrTooLargeIsRefused() {
        let many = (0...CookieHeader.maximumCount).map { "c\($0)=v" }.joined(separator: "; ")
        #expect(CookieHeader([many]) == nil)
        let enough = (0..<CookieHeader.maximumCount).map { "c\($0)=v" }.joined(separator: "; ")
        #expect(CookieHeader([enough]) != nil)
        #expect(CookieHeader([String(repeating: "x", count: CookieHeader.maximumBytes + 1)]) == nil)
    }
}
