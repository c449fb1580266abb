import ForwardAuthOIDC

/// The Go fork's ID cookie payload: gob of `struct ID { Email string; Token string }`.
///
/// Exactly what Go's encoder writes for one such value and nothing else: a message defining the type (named `ID`,
/// those two string fields in that order), then a message with the value (zero fields omitted), then the end. Any
/// other type, an extra field or a trailing byte is nil. Go's own decoder is laxer (it ignores unknown fields and
/// trailing bytes); the fork never wrote those, so refusing them loses no session.
struct GoIDPayload: Sendable, Hashable {
    var email: String
    /// The raw ID token the fork kept for `forward-token-header-name`; "" when it kept none.
    var token: String

    init(email: String, token: String) {
        self.email = email
        self.token = token
    }

    init?(gob bytes: [UInt8]) {
        var stream = GobReader(bytes[...])
        guard var definition = stream.readMessage(), let typeID = definition.readUserTypeDefinitionID(),
            definition.expect(Self.structTypeHead), definition.readInt() == typeID,
            definition.expect(Self.structTypeFields), definition.isAtEnd
        else { return nil }
        guard var value = stream.readMessage(), value.readInt() == typeID, stream.isAtEnd else { return nil }
        // Fields by delta from the previous field number (starting at -1); a zero delta ends the struct.
        var field = -1
        var email = ""
        var token = ""
        while true {
            guard let delta = value.readUInt(), delta <= 2 else { return nil }
            if delta == 0 { break }
            field += Int(delta)
            switch field {
            case 0:
                guard let text = value.readString() else { return nil }
                email = text
            case 1:
                guard let text = value.readString() else { return nil }
                token = text
            default:
                return nil
            }
        }
        guard value.isAtEnd else { return nil }
        self.init(email: email, token: token)
    }

    /// wireType field 3 (StructT) → structType field 1 (CommonType) → Name "ID", then field 1 (Id) follows.
    static let structTypeHead: [UInt8] = [0x03, 0x01, 0x01, 0x02] + Array("ID".utf8) + [0x01]
    /// The end of CommonType, then `Field`: two fieldTypes {Name, Id 6 (string)}, then the ends of structType and
    /// wireType.
    static let structTypeFields: [UInt8] =
        [0x00, 0x01, 0x02]
        + [0x01, 0x05] + Array("Email".utf8) + [0x01, 0x0C, 0x00]
        + [0x01, 0x05] + Array("Token".utf8) + [0x01, 0x0C, 0x00]
        + [0x00, 0x00]
}

extension GobReader {
    /// The id of the type a definition message defines (its first value, negated). gob numbers user types from 65
    /// in the order a process first sends them, so the fork's `ID` and claims map may have any such id; what holds
    /// is that the definition, its `CommonType.Id` and the value message all name the same one.
    mutating func readUserTypeDefinitionID() -> Int64? {
        guard let negated = readInt(), negated <= -65, negated >= -Int64(Int32.max) else { return nil }
        return -negated
    }
}
