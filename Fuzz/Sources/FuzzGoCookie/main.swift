import Crypto
import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import Foundation
import FuzzSupport
import _CryptoExtras

// The Go fork's session cookies (Session/GoCookies): read on every request whose own session cookie does not open,
// so reading must never trap, nothing but what the keys sealed in the fork's exact shapes may open, and what opens
// holds what it must.
//
// Input: a mode byte, then
//   0  two cookie values, split at the first newline: the ID and the claims cookie, read directly;
//   1  `Cookie` header values, one per line, read through `SessionCookies` with the reader on (our own cookie
//      fails to open first, as it does for a Go-signed-in browser);
//   2  two plaintexts (the first's length in two big-endian bytes, the first, the second), sealed with the fixture's
//      keys as securecookie seals, so the gob and JSON readers see arbitrary bytes behind a valid MAC and date;
//   3  a session's fields (email NUL token NUL username NUL groups, comma-separated), gob-encoded as Go's encoder
//      writes the fork's two payloads, sealed, and read: it must come back unchanged (or be refused as too long).

private let secret = FuzzFixtures.secret
private let encryptionKey = Array("fuzz-go-encryption-key-32-bytes!".utf8)
/// Long, so that the seeds in Fuzz/Corpus/FuzzGoCookie (minted by e2e/go-cookies on a real clock) stay in date.
private let lifetime: Int64 = 400 * 86400
private let now = FuzzFixtures.now
private let idName = FuzzFixtures.cookieSettings.sessionName
private let claimsName = FuzzFixtures.cookieSettings.claimsName
private let reader = GoCookieReader(
    secret: secret, encryptionKey: encryptionKey, idCookieName: idName, claimsCookieName: claimsName,
    lifetime: lifetime)!
private let sessions = SessionCookies(
    settings: FuzzFixtures.cookieSettings, keys: FuzzFixtures.keys, goCookies: reader)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGoCookie(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (mode, payload) = FuzzInput(data, size).modeAndPayload else { return 0 }
    switch mode % 4 {
    case 0: readValues(payload)
    case 1: readHeaders(payload)
    case 2: readSealedPlaintexts(payload)
    default: roundTrip(payload)
    }
    return 0
}

private func readValues(_ payload: FuzzInput) {
    let values = payload.pieces(separatedBy: UInt8(ascii: "\n"), limit: 2)
    var pairs = [(name: idName, value: values[0])]
    if values.count > 1 { pairs.append((name: claimsName, value: values[1])) }
    check(reader.session(from: CookieList(pairs), now: now), values: values)
}

private func readHeaders(_ payload: FuzzInput) {
    guard let cookies = BrowserCookies.sent(payload.lines(limit: 16)) else { return }
    let lookup = sessions.session(from: cookies, now: now)
    guard case .valid(let session) = lookup, session.source == .goCookie else { return }
    check(.success(session), values: [cookies.value(idName) ?? "", cookies.value(claimsName) ?? ""])
}

private func readSealedPlaintexts(_ payload: FuzzInput) {
    let bytes = payload.bytes
    guard bytes.count >= 2 else { return }
    let idLength = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
    let id = Array(bytes[2..<(2 + idLength)])
    let claims = Array(bytes[(2 + idLength)...])
    let values = [seal(id, name: idName), seal(claims, name: claimsName)]
    check(reader.session(from: CookieList([(idName, values[0]), (claimsName, values[1])]), now: now), values: values)
}

private func roundTrip(_ payload: FuzzInput) {
    let parts = payload.pieces(separatedBy: 0, limit: 4)
    let email = parts[0]
    let token = parts.count > 1 ? parts[1] : ""
    let username = parts.count > 2 ? parts[2] : ""
    let groups =
        parts.count > 3 ? parts[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
    guard let json = try? JSONEncoder().encode(UserInfo(username: username, email: email, groups: groups)) else {
        return
    }
    let values = [
        seal(GoGob.id(email: email, token: token), name: idName),
        seal(GoGob.claims(json: Array(json)), name: claimsName),
    ]
    let result = reader.session(from: CookieList([(idName, values[0]), (claimsName, values[1])]), now: now)
    check(result, values: values)
    if values.contains(where: { $0.utf8.count > GoSecureCookie.maximumValueLength }) {
        invariant(result == .failure(.tooLong), "a value over the limit was not refused as too long")
        return
    }
    if email.isEmpty {
        invariant(result == .failure(.noEmail), "an ID without an email did not fail as such")
        return
    }
    guard case .success(let session) = result else {
        invariant(false, "the fork's shapes, sealed with the right keys, did not open: \(result)")
        return
    }
    invariant(session.email == email, "the email changed")
    invariant(session.name == (username.isEmpty ? email : username), "the display name changed")
    invariant(session.groups == groups, "the groups changed")
    invariant(session.idToken == (token.isEmpty ? nil : token), "the token changed")
    invariant(session.issuedAt == now, "the date changed")
}

/// What holds for anything that opens: the fork's keys sealed both values within the size limit, it names an
/// email, it is dated within [now − lifetime, now + 60 s] and expires a lifetime after its date.
private func check(_ result: Result<Session, GoCookieError>, values: [String]) {
    guard case .success(let session) = result else { return }
    invariant(values.count == 2, "a session opened without a claims cookie")
    invariant(values.allSatisfy { $0.utf8.count <= GoSecureCookie.maximumValueLength }, "an oversize value opened")
    invariant(session.source == .goCookie, "a Go session is not marked as one")
    invariant(!session.email.isEmpty, "a session without an email opened")
    invariant(session.issuedAt >= now - lifetime, "an expired Go session opened")
    invariant(session.issuedAt <= now + GoSecureCookie.allowedClockSkew, "a Go session from the future opened")
    invariant(session.expiresAt == session.issuedAt + lifetime, "a Go session's expiry is not its date + lifetime")
    invariant(session.id.isEmpty && !session.groupsInClaimsCookie, "a Go session claims our own session's fields")
}

/// securecookie's sealing, written from its format: base64url(date|base64url(iv ‖ AES-CTR(plaintext))|mac).
private func seal(_ plaintext: [UInt8], name: String, date: Int64 = now) -> String {
    let iv = FixedRandom(seed: UInt8(truncatingIfNeeded: plaintext.count)).bytes(16)
    // A 16-byte IV and a 32-byte key: neither throws.
    let nonce = try! AES._CTR.Nonce(nonceBytes: iv)
    let ciphertext = try! AES._CTR.encrypt(plaintext, using: SymmetricKey(data: encryptionKey), nonce: nonce)
    let body = Array("\(date)|\(paddedBase64URL(iv + ciphertext))".utf8)
    let mac = HMAC<SHA256>.authenticationCode(
        for: Array("\(name)|".utf8) + body, using: SymmetricKey(data: secret))
    return paddedBase64URL(body + [UInt8(ascii: "|")] + Array(mac))
}

private func paddedBase64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
}

/// The fork's `v1alpha1.UserInfo`, as JSON.
private struct UserInfo: Encodable {
    var username: String
    var email: String
    var groups: [String]
}

/// gob as Go's encoder writes the fork's two payloads, for a fresh encoder in a process whose first user types
/// are the ID (65) and the claims map (66).
private enum GoGob {
    static func id(email: String, token: String) -> [UInt8] {
        let definition: [UInt8] =
            [0xFF, 0x81, 0x03, 0x01, 0x01, 0x02] + Array("ID".utf8) + [0x01, 0xFF, 0x82, 0x00, 0x01, 0x02]
            + [0x01, 0x05] + Array("Email".utf8) + [0x01, 0x0C, 0x00]
            + [0x01, 0x05] + Array("Token".utf8) + [0x01, 0x0C, 0x00, 0x00, 0x00]
        var value: [UInt8] = [0xFF, 0x82]
        var field = -1
        for (index, text) in [email, token].enumerated() where !text.isEmpty {
            value += uint(UInt64(index - field)) + string(text)
            field = index
        }
        value.append(0x00)
        return message(definition) + message(value)
    }

    static func claims(json: [UInt8]) -> [UInt8] {
        let definition: [UInt8] = [0xFF, 0x83, 0x04, 0x01, 0x02, 0xFF, 0x84, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00]
        let key = [0x00] + string("userInfo")
        let element = [0x00] + uint(UInt64(json.count)) + json
        let value: [UInt8] =
            [0xFF, 0x84, 0x00, 0x01] + string("string") + [0x0C] + uint(UInt64(key.count)) + key
            + string("[]uint8") + [0x0A] + uint(UInt64(element.count)) + element
        return message(definition) + message(value)
    }

    static func message(_ body: [UInt8]) -> [UInt8] { uint(UInt64(body.count)) + body }

    static func string(_ text: String) -> [UInt8] { uint(UInt64(text.utf8.count)) + Array(text.utf8) }

    /// Below 128 one byte; else minus the byte count, then the big-endian bytes without leading zeros.
    static func uint(_ value: UInt64) -> [UInt8] {
        guard value >= 0x80 else { return [UInt8(value)] }
        var bytes = withUnsafeBytes(of: value.bigEndian, Array.init)
        bytes.removeFirst(bytes.prefix { $0 == 0 }.count)
        return [UInt8(truncatingIfNeeded: -bytes.count)] + bytes
    }
}
