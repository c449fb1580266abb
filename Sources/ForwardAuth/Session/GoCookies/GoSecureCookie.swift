import Crypto
import ForwardAuthWire
import _CryptoExtras

/// Opens one cookie value in gorilla/securecookie's format (v1.1.2, as the Go traefik-forward-auth v3.3.0 writes
/// its ID and claims cookies), down to the plaintext; `GoGobPayload` reads what is inside.
///
/// Format: `base64url(date "|" base64url(iv ‖ AES-CTR(gob)) "|" mac)`, padded base64url both times, `date` in decimal
/// seconds, `mac` = HMAC-SHA256(secret, `<cookie name>|<date>|<value>`) in 32 raw bytes. The steps run cheapest and
/// safest first: the length before any decoding, the MAC (in constant time) before any work on what it covers, the
/// date before decryption. A value that fails a step costs no more than that step.
package struct GoSecureCookie: Sendable {
    /// securecookie's own limit (`maxLength`): the fork never wrote a longer value, so a longer one is refused
    /// before any decoding.
    package static let maximumValueLength = 4096
    /// How far ahead of our clock a cookie's date may be: the old and the new pods' clocks differ a little.
    package static let allowedClockSkew: Int64 = 60
    static let macLength = 32
    static let ivLength = 16

    /// What the cookie held, once verified and decrypted.
    package struct Opened: Sendable, Hashable {
        /// When the fork wrote it, in seconds since 1970.
        package var date: Int64
        package var plaintext: [UInt8]
    }

    private let hashKey: SymmetricKey
    private let blockKey: SymmetricKey
    private let maximumAge: Int64

    /// - Parameters:
    ///   - hashKey: the fork's `secret`, raw.
    ///   - blockKey: the fork's `encryption-key`, raw; nil unless 16, 24 or 32 bytes (AES-128, -192, -256), the only
    ///     keys with which the fork could write a cookie at all (`aes.NewCipher` refuses the rest, and then every
    ///     `Encode` fails).
    ///   - maximumAge: `lifetime`, in seconds: older cookies are expired.
    package init?(hashKey: [UInt8], blockKey: [UInt8], maximumAge: Int64) {
        guard !hashKey.isEmpty, [16, 24, 32].contains(blockKey.count), maximumAge > 0 else { return nil }
        self.hashKey = SymmetricKey(data: hashKey)
        self.blockKey = SymmetricKey(data: blockKey)
        self.maximumAge = maximumAge
    }

    /// The plaintext of `value`, read from the cookie named `name`, if it verifies and is dated within
    /// [now − maximumAge, now + allowedClockSkew].
    package func open(_ value: some StringProtocol, name: String, now: Int64) -> Result<Opened, GoCookieError> {
        let text = value.utf8
        guard text.count <= Self.maximumValueLength else { return .failure(.tooLong) }
        guard let outer = PaddedBase64URL.decode(text) else { return .failure(.malformed) }

        // "date|value|mac": the MAC is raw bytes and may hold "|", so only the first two separate.
        guard let firstBar = outer.firstIndex(of: UInt8(ascii: "|")),
            let secondBar = outer[(firstBar + 1)...].firstIndex(of: UInt8(ascii: "|"))
        else { return .failure(.malformed) }
        let mac = outer[(secondBar + 1)...]
        guard mac.count == Self.macLength else { return .failure(.badMAC) }
        var hmac = HMAC<SHA256>(key: hashKey)
        hmac.update(data: Array(name.utf8))
        hmac.update(data: [UInt8(ascii: "|")])
        hmac.update(data: outer[..<secondBar])
        guard ConstantTime.equals(Array(hmac.finalize()), Array(mac)) else { return .failure(.badMAC) }

        guard let date = Self.decimal(outer[..<firstBar]) else { return .failure(.badDate) }
        // The age, not `date + maximumAge`: with any `now` and `lifetime`, nothing here can overflow.
        let (age, overflow) = now.subtractingReportingOverflow(date)
        guard !overflow else { return .failure(.badDate) }
        guard age <= maximumAge else { return .failure(.expired) }
        guard age >= -Self.allowedClockSkew else { return .failure(.fromTheFuture) }

        guard let sealed = PaddedBase64URL.decode(outer[(firstBar + 1)..<secondBar]),
            sealed.count > Self.ivLength,
            let nonce = try? AES._CTR.Nonce(nonceBytes: sealed.prefix(Self.ivLength)),
            // CTR with the IV as a 128-bit big-endian counter, as Go's cipher.NewCTR.
            let plaintext = try? AES._CTR.decrypt(sealed.dropFirst(Self.ivLength), using: blockKey, nonce: nonce)
        else { return .failure(.undecryptable) }
        return .success(Opened(date: date, plaintext: Array(plaintext)))
    }

    /// 1 to 18 ASCII digits (Go writes `%d` of a positive Unix time); no sign, so no overflow.
    static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard (1...18).contains(digits.count) else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
