import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// A pair of cookies the real gorilla libraries wrote (e2e/go-cookies, `GoCookieVectors.swift`), with what the real
/// libraries read back from them (the fork's judgement) and whether forward-auth opens a session from them.
struct GoCookieVector: Sendable, CustomTestStringConvertible {
    struct Reading: Sendable {
        var email: String
        var name: String
        var token: String
        var groups: [String]
    }

    var name: String
    var about: String
    var encryptionKey: String
    /// The ID cookie's value (`_forward_auth`).
    var id: String
    /// The claims cookie's value (`_forward_auth_claims`).
    var claims: String
    /// The date securecookie wrote into the ID cookie.
    var date: Int64
    var goAccepts: Bool
    var forwardAuthAccepts: Bool
    var goReading: Reading?

    init(
        name: String, about: String, encryptionKey: String, id: String, claims: String, date: Int64, goAccepts: Bool,
        forwardAuthAccepts: Bool, goReading: Reading? = nil
    ) {
        self.name = name
        self.about = about
        self.encryptionKey = encryptionKey
        self.id = id
        self.claims = claims
        self.date = date
        self.goAccepts = goAccepts
        self.forwardAuthAccepts = forwardAuthAccepts
        self.goReading = goReading
    }

    var testDescription: String { name }

    static let lifetime: Int64 = 43200

    static func named(_ name: String) -> GoCookieVector {
        guard let vector = all.first(where: { $0.name == name }) else { fatalError("no vector \(name)") }
        return vector
    }

    /// The vectors' reader: their secret and `encryptionKey`, the fork's cookie names and lifetime.
    var reader: GoCookieReader {
        GoCookieReader(
            secret: Array(Self.secret.utf8), encryptionKey: Array(encryptionKey.utf8), idCookieName: "_forward_auth",
            claimsCookieName: "_forward_auth_claims", lifetime: Self.lifetime)!
    }

    /// The cookies a browser carrying this vector sends.
    var cookies: CookieList { ["_forward_auth": id, "_forward_auth_claims": claims] }
}
