/// Who a browser session belongs to: the payload of the sealed session cookie.
///
/// Expiry lives inside the sealed payload, so a browser that keeps a cookie past its `Max-Age` gains nothing.
package struct Session: Sendable, Hashable {
    package var email: String
    /// Display name for UIs (`name`, else `preferred_username`, else the email).
    package var name: String
    package var groups: [String]
    /// Seconds since 1970.
    package var issuedAt: Int64
    package var expiresAt: Int64
    /// Random id that binds claims cookies to this session, so they cannot be grafted onto another.
    package var id: [UInt8]
    /// When true the groups (and the ID token, if kept) did not fit and live in the claims cookie(s); `groups`
    /// and `idToken` are then empty here.
    package var groupsInClaimsCookie: Bool
    /// The raw ID token, kept only when `forward-token-header-name` asks to forward it.
    package var idToken: String?
    /// The claims `claim-header` maps to headers, each at most `NamedClaim.maximumBytes`.
    package var claims: [NamedClaim]
    /// Which cookies established it. Not sealed: a session read from the Go fork's cookies is never written back.
    package var source: Source
    /// With `refresh-sessions`: what renews the session at Dex before its hard end (`expiresAt`).
    package var refresh: Refresh?

    /// A refreshable session's Dex side (docs/multi-cluster.md "Silent refresh"). A class: a session is copied
    /// out of the opened-session cache on every check, and this keeps that copy one pointer wider, not 56 bytes
    /// (the guard measured +10 % on a session open with the fields inline).
    package final class Refresh: Sendable, Hashable {
        /// Dex's refresh token; Dex rotates it on every use.
        package let token: String
        /// The soft end: from now on a top-level navigation refreshes (the last login or refresh +
        /// `refresh-interval`).
        package let due: Int64
        /// When the login that began this chain of refreshes happened: `refresh-max-age` counts from it.
        package let firstLogin: Int64
        /// The ID token's `sub`: a refresh for anyone else ends the session.
        package let subject: String

        package init(token: String, due: Int64, firstLogin: Int64, subject: String) {
            self.token = token
            self.due = due
            self.firstLogin = firstLogin
            self.subject = subject
        }

        package static func == (lhs: Refresh, rhs: Refresh) -> Bool {
            lhs.token == rhs.token && lhs.due == rhs.due && lhs.firstLogin == rhs.firstLogin
                && lhs.subject == rhs.subject
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(token)
            hasher.combine(due)
        }
    }

    /// Where a session came from: for the log and the metric of sessions carried over from the Go fork.
    package enum Source: Sendable, Hashable {
        /// forward-auth's own sealed session cookie.
        case sealed
        /// Cookies the Go traefik-forward-auth wrote before the swap (`GoCookieReader`); read until they expire.
        case goCookie
    }

    package init(
        email: String, name: String, groups: [String], issuedAt: Int64, expiresAt: Int64, id: [UInt8],
        groupsInClaimsCookie: Bool = false, idToken: String? = nil, claims: [NamedClaim] = [],
        source: Source = .sealed
    ) {
        self.email = email
        self.name = name
        self.groups = groups
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.id = id
        self.groupsInClaimsCookie = groupsInClaimsCookie
        self.idToken = idToken
        self.claims = claims
        self.source = source
    }

    package func isExpired(now: Int64) -> Bool { now >= expiresAt }
}

extension Session {
    static let formatVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = PayloadWriter(
            capacity: 64 + email.utf8.count + groups.reduce(0) { $0 + $1.utf8.count + 2 } + (idToken?.utf8.count ?? 0))
        writer.write(Self.formatVersion)
        writer.write(issuedAt)
        writer.write(expiresAt)
        writer.write(id)
        writer.write(
            UInt8(
                (groupsInClaimsCookie ? 1 : 0) | (idToken != nil ? 2 : 0) | (claims.isEmpty ? 0 : 4)
                    | (refresh != nil ? 8 : 0)))
        writer.write(email)
        writer.write(name)
        writer.write(UInt16(clamping: groups.count))
        for group in groups.prefix(Int(UInt16.max)) { writer.write(group) }
        if let idToken { writer.write(idToken) }
        if !claims.isEmpty {
            writer.write(UInt16(clamping: claims.count))
            for claim in claims.prefix(Int(UInt16.max)) {
                writer.write(claim.name)
                writer.write(UInt16(clamping: claim.values.count))
                for value in claim.values.prefix(Int(UInt16.max)) { writer.write(value) }
            }
        }
        if let refresh {
            writer.write(refresh.token)
            writer.write(refresh.due)
            writer.write(refresh.firstLogin)
            writer.write(refresh.subject)
        }
        return writer.bytes
    }

    init?(decoding bytes: [UInt8]) {
        var reader = PayloadReader(bytes)
        guard reader.readByte() == Self.formatVersion,
            let issuedAt = reader.readInt64(), let expiresAt = reader.readInt64(),
            let id = reader.readBytes(), let flags = reader.readByte(),
            let email = reader.readString(), let name = reader.readString(),
            let groupCount = reader.readUInt16()
        else { return nil }
        var groups: [String] = []
        groups.reserveCapacity(Int(groupCount))
        for _ in 0..<groupCount {
            guard let group = reader.readString() else { return nil }
            groups.append(group)
        }
        var idToken: String?
        if flags & 2 != 0 {
            guard let token = reader.readString() else { return nil }
            idToken = token
        }
        var claims: [NamedClaim] = []
        if flags & 4 != 0 {
            guard let count = reader.readUInt16() else { return nil }
            for _ in 0..<count {
                guard let name = reader.readString(), let valueCount = reader.readUInt16() else { return nil }
                var values: [String] = []
                for _ in 0..<valueCount {
                    guard let value = reader.readString() else { return nil }
                    values.append(value)
                }
                claims.append(NamedClaim(name: name, values: values))
            }
        }
        var refresh: Refresh?
        if flags & 8 != 0 {
            guard let token = reader.readString(), let due = reader.readInt64(), let firstLogin = reader.readInt64(),
                let subject = reader.readString()
            else { return nil }
            refresh = Refresh(token: token, due: due, firstLogin: firstLogin, subject: subject)
        }
        guard reader.isAtEnd else { return nil }
        self.init(
            email: email, name: name, groups: groups, issuedAt: issuedAt, expiresAt: expiresAt, id: id,
            groupsInClaimsCookie: flags & 1 != 0, idToken: idToken, claims: claims)
        self.refresh = refresh
    }
}
