import Foundation

/// The Go fork's claims cookie payload: a gorilla/sessions `Values` map, gob of `map[interface{}]interface{}` with
/// exactly one entry, `"userInfo"` → `[]byte` holding JSON `{"username", "email", "groups"}`.
///
/// As with `GoIDPayload`, only the exact shape Go's encoder writes opens: another key, another value type, a second
/// entry or a trailing byte is nil.
struct GoClaimsPayload: Sendable, Hashable {
    var username: String
    var email: String
    /// nil when the JSON holds `null` or no `groups`: the fork logs in again then.
    var groups: [String]?

    init(username: String, email: String, groups: [String]?) {
        self.username = username
        self.email = email
        self.groups = groups
    }

    init?(gob bytes: [UInt8]) {
        var stream = GobReader(bytes[...])
        guard var definition = stream.readMessage(), let typeID = definition.readUserTypeDefinitionID(),
            definition.expect(Self.mapTypeHead), definition.readInt() == typeID,
            definition.expect(Self.mapTypeTail), definition.isAtEnd
        else { return nil }
        // A map is not a struct, so its value comes after a zero field delta; then the entry count.
        guard var value = stream.readMessage(), value.readInt() == typeID, stream.isAtEnd,
            value.expect([0x00, 0x01]),
            let key = value.readInterface(named: "string", typeID: Self.stringTypeID),
            key.readsAsString("userInfo"),
            var element = value.readInterface(named: "[]uint8", typeID: Self.bytesTypeID),
            value.isAtEnd,
            let json = element.readBytes(), element.isAtEnd
        else { return nil }
        guard let info = try? JSONDecoder().decode(UserInfo.self, from: Data(json)) else { return nil }
        self.init(username: info.username ?? "", email: info.email, groups: info.groups)
    }

    /// The JSON the fork writes (`v1alpha1.UserInfo`); other keys are ignored, as Go's decoder ignores them.
    private struct UserInfo: Decodable {
        var username: String?
        var email: String
        var groups: [String]?
    }

    static let stringTypeID: Int64 = 6
    static let bytesTypeID: Int64 = 5
    /// wireType field 4 (MapT) → mapType field 1 (CommonType) → field 2 (Id; the unnamed map type has no Name).
    static let mapTypeHead: [UInt8] = [0x04, 0x01, 0x02]
    /// End of CommonType, Key and Elem both `interface{}` (id 8), then the ends of mapType and wireType.
    static let mapTypeTail: [UInt8] = [0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00]
}

extension GobReader {
    /// An interface value holding a basic type: the registered type name, its id, then the value's bytes (a
    /// zero delta, as for any non-struct, then the value), returned as a reader positioned at the value.
    mutating func readInterface(named name: String, typeID: Int64) -> GobReader? {
        guard readString() == name, readInt() == typeID, let body = readBytes() else { return nil }
        var reader = GobReader(body)
        guard reader.readByte() == 0x00 else { return nil }
        return reader
    }

    /// Whether what is left is exactly the string `expected`.
    func readsAsString(_ expected: String) -> Bool {
        var copy = self
        return copy.readString() == expected && copy.isAtEnd
    }
}
