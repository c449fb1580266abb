/// Groups (and the forwarded ID token) that did not fit in the session cookie: the payload of the claims
/// cookie(s), bound to one session.
struct GroupClaims: Sendable, Hashable {
    var sessionID: [UInt8]
    var groups: [String]
    var idToken: String?

    /// Version 1 held groups only; version 2 adds the ID token. Both open.
    static let formatVersion: UInt8 = 2

    func encoded() -> [UInt8] {
        var writer = PayloadWriter(
            capacity: 32 + groups.reduce(0) { $0 + $1.utf8.count + 2 } + (idToken?.utf8.count ?? 0))
        writer.write(Self.formatVersion)
        writer.write(sessionID)
        writer.write(UInt16(clamping: groups.count))
        for group in groups.prefix(Int(UInt16.max)) { writer.write(group) }
        writer.write(UInt8(idToken == nil ? 0 : 1))
        if let idToken { writer.write(idToken) }
        return writer.bytes
    }

    init(sessionID: [UInt8], groups: [String], idToken: String? = nil) {
        self.sessionID = sessionID
        self.groups = groups
        self.idToken = idToken
    }

    init?(decoding bytes: [UInt8]) {
        var reader = PayloadReader(bytes)
        guard let version = reader.readByte(), version == 1 || version == 2, let sessionID = reader.readBytes(),
            let count = reader.readUInt16()
        else { return nil }
        var groups: [String] = []
        groups.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let group = reader.readString() else { return nil }
            groups.append(group)
        }
        var idToken: String?
        if version == 2 {
            guard let hasToken = reader.readByte(), hasToken <= 1 else { return nil }
            if hasToken == 1 {
                guard let token = reader.readString() else { return nil }
                idToken = token
            }
        }
        guard reader.isAtEnd else { return nil }
        self.init(sessionID: sessionID, groups: groups, idToken: idToken)
    }
}
