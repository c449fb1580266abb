/// Groups that did not fit in the session cookie: the payload of the claims cookie(s), bound to one session.
struct GroupClaims: Sendable, Hashable {
    var sessionID: [UInt8]
    var groups: [String]

    static let formatVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = PayloadWriter(capacity: 32 + groups.reduce(0) { $0 + $1.utf8.count + 2 })
        writer.write(Self.formatVersion)
        writer.write(sessionID)
        writer.write(UInt16(clamping: groups.count))
        for group in groups.prefix(Int(UInt16.max)) { writer.write(group) }
        return writer.bytes
    }

    init(sessionID: [UInt8], groups: [String]) {
        self.sessionID = sessionID
        self.groups = groups
    }

    init?(decoding bytes: [UInt8]) {
        var reader = PayloadReader(bytes)
        guard reader.readByte() == Self.formatVersion, let sessionID = reader.readBytes(),
            let count = reader.readUInt16()
        else { return nil }
        var groups: [String] = []
        groups.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let group = reader.readString() else { return nil }
            groups.append(group)
        }
        guard reader.isAtEnd else { return nil }
        self.init(sessionID: sessionID, groups: groups)
    }
}
