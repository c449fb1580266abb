import Crypto
import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

@Suite("Go fork's session cookies")
struct GoCookieReaderTests {
    static let valid = GoCookieVector.named("valid-aes256")

    @Test(arguments: GoCookieVector.all)
    func opensExactlyTheVectorsItShould(_ vector: GoCookieVector) throws {
        let result = vector.reader.session(from: vector.cookies, now: vector.date + 5)
        guard vector.forwardAuthAccepts else {
            #expect(throws: GoCookieError.self) { try result.get() }
            return
        }
        let session = try result.get()
        // Read as the real gorilla libraries read the same cookies.
        let reading = try #require(vector.goReading)
        #expect(session.email == reading.email)
        #expect(session.name == reading.name)
        #expect(session.groups == reading.groups)
        #expect(session.idToken == (reading.token.isEmpty ? nil : reading.token))
        #expect(session.issuedAt == vector.date)
        #expect(session.expiresAt == vector.date + GoCookieVector.lifetime)
        #expect(session.source == .goCookie)
    }

    @Test func theValidVectorsCarryTheUsersGroups() throws {
        let session = try Self.valid.reader.session(from: Self.valid.cookies, now: Self.valid.date).get()
        #expect(session.email == "alice@example.com")
        #expect(session.name == "Alice Example")
        #expect(session.groups == ["admins", "devs", "<ops&sre>", "équipe"])
        #expect(session.idToken == nil)
    }

    /// Where forward-auth refuses what the fork accepted, each for a stated reason.
    @Test(arguments: [
        ("claims-other-email", GoCookieError.claimsOfAnotherUser),
        ("empty-email", .noEmail),
        ("id-extra-field", .unexpectedPayload),
        ("id-trailing-byte", .unexpectedPayload),
        ("claims-trailing-byte", .unexpectedPayload),
        ("claims-extra-entry", .unexpectedPayload),
    ])
    func refusesWhatTheForksLaxDecoderAccepted(_ name: String, _ error: GoCookieError) {
        let vector = GoCookieVector.named(name)
        #expect(vector.goAccepts)
        #expect(vector.reader.session(from: vector.cookies, now: vector.date) == .failure(error))
    }

    @Test(arguments: [
        ("other-secret", GoCookieError.badMAC),
        ("other-key", .unexpectedPayload),
        ("oversize", .tooLong),
        ("id-string", .unexpectedPayload),
        ("id-map", .unexpectedPayload),
        ("claims-string-value", .unexpectedPayload),
        ("null-groups", .noGroups),
    ])
    func refusesWhatTheForkRefused(_ name: String, _ error: GoCookieError) {
        let vector = GoCookieVector.named(name)
        #expect(!vector.goAccepts)
        #expect(vector.reader.session(from: vector.cookies, now: vector.date) == .failure(error))
    }

    @Test func theDateMustBeWithinLifetimeAndAMinuteAhead() {
        let vector = Self.valid
        let reader = vector.reader
        let lifetime = GoCookieVector.lifetime
        #expect((try? reader.session(from: vector.cookies, now: vector.date + lifetime).get()) != nil)
        #expect(reader.session(from: vector.cookies, now: vector.date + lifetime + 1) == .failure(.expired))
        #expect((try? reader.session(from: vector.cookies, now: vector.date - 60).get()) != nil)
        #expect(reader.session(from: vector.cookies, now: vector.date - 61) == .failure(.fromTheFuture))
        // Extreme clocks: no overflow, no session.
        #expect(reader.session(from: vector.cookies, now: .min) == .failure(.badDate))
        #expect(reader.session(from: vector.cookies, now: .max) == .failure(.expired))
    }

    @Test func aTamperedMACOrValueOpensNothing() throws {
        let vector = Self.valid
        var outer = try #require(PaddedBase64URL.decode(Array(vector.id.utf8)))
        for position in [outer.count - 1, outer.count - 32, 0, 12] {
            var tampered = outer
            tampered[position] ^= 0x01
            let cookies: CookieList = ["_forward_auth": Self.encode(tampered), "_forward_auth_claims": vector.claims]
            #expect(vector.reader.session(from: cookies, now: vector.date) == .failure(.badMAC), "byte \(position)")
        }
        // A MAC one byte short.
        outer.removeLast()
        let short: CookieList = ["_forward_auth": Self.encode(outer), "_forward_auth_claims": vector.claims]
        #expect(vector.reader.session(from: short, now: vector.date) == .failure(.badMAC))
    }

    @Test func theCookieNameIsPartOfTheMAC() {
        let vector = Self.valid
        let swapped: CookieList = ["_forward_auth": vector.claims, "_forward_auth_claims": vector.id]
        #expect(vector.reader.session(from: swapped, now: vector.date) == .failure(.badMAC))
        let renamed = GoCookieReader(
            secret: Array(GoCookieVector.secret.utf8), encryptionKey: Array(vector.encryptionKey.utf8),
            idCookieName: "_forward_auth_2", claimsCookieName: "_forward_auth_claims", lifetime: 43200)
        let cookies: CookieList = ["_forward_auth_2": vector.id, "_forward_auth_claims": vector.claims]
        #expect(renamed?.session(from: cookies, now: vector.date) == .failure(.badMAC))
    }

    /// The MAC is checked before the value is base64-decoded, decrypted or parsed: a value of junk under a wrong MAC
    /// fails on the MAC; only under the right one does it reach (and fail) the decryption.
    @Test func theMACIsVerifiedBeforeAnyDecoding() {
        let vector = Self.valid
        let body = Array("\(vector.date)|!!not base64!!".utf8)
        let wrong = body + [UInt8(ascii: "|")] + [UInt8](repeating: 7, count: 32)
        let cookies = { (value: [UInt8]) -> CookieList in
            ["_forward_auth": Self.encode(value), "_forward_auth_claims": vector.claims]
        }
        #expect(vector.reader.session(from: cookies(wrong), now: vector.date) == .failure(.badMAC))
        let mac = Self.mac(name: "_forward_auth", body)
        let right = body + [UInt8(ascii: "|")] + mac
        #expect(vector.reader.session(from: cookies(right), now: vector.date) == .failure(.undecryptable))
        // A right MAC over a date that is not a number.
        let undated = Array("17x|AAAA".utf8)
        let dated = undated + [UInt8(ascii: "|")] + Self.mac(name: "_forward_auth", undated)
        #expect(vector.reader.session(from: cookies(dated), now: vector.date) == .failure(.badDate))
    }

    @Test func valuesOver4096BytesAreRefusedUnread() {
        let vector = Self.valid
        let junk = String(repeating: "A", count: 4097)
        let cookies: CookieList = ["_forward_auth": junk, "_forward_auth_claims": vector.claims]
        #expect(vector.reader.session(from: cookies, now: vector.date) == .failure(.tooLong))
        let claims: CookieList = ["_forward_auth": vector.id, "_forward_auth_claims": junk]
        #expect(vector.reader.session(from: claims, now: vector.date) == .failure(.tooLong))
    }

    @Test func bothCookiesAreNeeded() {
        let vector = Self.valid
        #expect(
            vector.reader.session(from: ["_forward_auth_claims": vector.claims] as CookieList, now: vector.date)
                == .failure(.missingIDCookie))
        #expect(
            vector.reader.session(from: ["_forward_auth": vector.id] as CookieList, now: vector.date)
                == .failure(.missingClaimsCookie))
    }

    @Test func aWrongEncryptionKeyOpensNothing() {
        let vector = Self.valid
        let reader = GoCookieReader(
            secret: Array(GoCookieVector.secret.utf8), encryptionKey: Array(repeating: 0x41, count: 32),
            idCookieName: "_forward_auth", claimsCookieName: "_forward_auth_claims", lifetime: 43200)
        #expect(reader?.session(from: vector.cookies, now: vector.date) == .failure(.unexpectedPayload))
    }

    @Test(arguments: [0, 8, 15, 17, 20, 31, 33, 64])
    func onlyAESKeySizesMakeAReader(_ length: Int) {
        let reader = GoCookieReader(
            secret: Array(GoCookieVector.secret.utf8), encryptionKey: Array(repeating: 0x41, count: length),
            idCookieName: "_forward_auth", claimsCookieName: "_forward_auth_claims", lifetime: 43200)
        #expect(reader == nil)
    }

    @Test func noEncryptionKeyOrSecretMakesNoReader() {
        #expect(
            GoCookieReader(
                secret: Array(GoCookieVector.secret.utf8), encryptionKey: nil, idCookieName: "_forward_auth",
                claimsCookieName: "_forward_auth_claims", lifetime: 43200) == nil)
        #expect(
            GoCookieReader(
                secret: [], encryptionKey: Array(repeating: 0x41, count: 16), idCookieName: "_forward_auth",
                claimsCookieName: "_forward_auth_claims", lifetime: 43200) == nil)
    }

    @Test func errorsNameTheStepNeverTheValue() {
        let vector = Self.valid
        for name in ["other-secret", "id-extra-field", "claims-other-email", "oversize"] {
            let other = GoCookieVector.named(name)
            guard case .failure(let error) = vector.reader.session(from: other.cookies, now: other.date) else {
                Issue.record("\(name) opened")
                continue
            }
            #expect(!error.description.contains("alice"))
            #expect(!error.description.contains(GoCookieVector.secret))
            #expect(!error.description.contains(String(other.id.prefix(12))))
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Base64URL.encode(bytes).padded()
    }

    static func mac(name: String, _ body: [UInt8]) -> [UInt8] {
        Array(
            HMAC<SHA256>.authenticationCode(
                for: Array(name.utf8) + [UInt8(ascii: "|")] + body,
                using: SymmetricKey(data: Array(GoCookieVector.secret.utf8))))
    }
}

extension String {
    /// Unpadded base64url with the `=` Go's URLEncoding writes.
    fileprivate func padded() -> String {
        self + String(repeating: "=", count: (4 - utf8.count % 4) % 4)
    }
}
