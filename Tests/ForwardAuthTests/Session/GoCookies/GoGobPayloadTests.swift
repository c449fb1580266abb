import Testing

@testable import ForwardAuth

/// The two gob shapes byte by byte, as Go 1.19's encoding/gob wrote them (e2e/go-cookies prints the same).
@Suite("Go fork's gob payloads")
struct GoGobPayloadTests {
    /// gob of `ID{Email: "a@b.c", Token: "tok"}` in a fresh process: type 65.
    static let id: [UInt8] =
        // The definition: 36 bytes, type -65, struct "ID" (id 65) with Email and Token, both strings (id 6).
        [0x24, 0xFF, 0x81, 0x03, 0x01, 0x01, 0x02] + Array("ID".utf8) + [0x01, 0xFF, 0x82, 0x00, 0x01, 0x02]
        + [0x01, 0x05] + Array("Email".utf8) + [0x01, 0x0C, 0x00]
        + [0x01, 0x05] + Array("Token".utf8) + [0x01, 0x0C, 0x00, 0x00, 0x00]
        // The value: 15 bytes, type 65, field 0 "a@b.c", field 1 "tok", end.
        + [0x0F, 0xFF, 0x82, 0x01, 0x05] + Array("a@b.c".utf8) + [0x01, 0x03] + Array("tok".utf8) + [0x00]

    /// gob of `map[interface{}]interface{}{"userInfo": []byte(json)}`, the map being the process's second type (66).
    static func claims(_ json: String = #"{"username":"A","email":"a@b.c","groups":["g"]}"#, typeID: UInt8 = 0x84)
        -> [UInt8]
    {
        let body = Array(json.utf8)
        let element: [UInt8] = [0x00, UInt8(body.count)] + body
        let value: [UInt8] =
            [0xFF, typeID, 0x00, 0x01, 0x06] + Array("string".utf8) + [0x0C, 0x0A, 0x00, 0x08]
            + Array("userInfo".utf8) + [0x07] + Array("[]uint8".utf8) + [0x0A, UInt8(element.count)] + element
        return [0x0E, 0xFF, typeID - 1, 0x04, 0x01, 0x02, 0xFF, typeID, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00]
            + [UInt8(value.count)] + value
    }

    @Test func readsTheIDStruct() {
        #expect(GoIDPayload(gob: Self.id) == GoIDPayload(email: "a@b.c", token: "tok"))
    }

    @Test func anOmittedFieldIsEmpty() {
        // Token "" is not sent: the value message is type, Email, end.
        var bytes = Array(Self.id.prefix(37))
        bytes += [0x0A, 0xFF, 0x82, 0x01, 0x05] + Array("a@b.c".utf8) + [0x00]
        #expect(GoIDPayload(gob: bytes) == GoIDPayload(email: "a@b.c", token: ""))
        // Only Token: a delta of 2 from the start.
        var tokenOnly = Array(Self.id.prefix(37))
        tokenOnly += [0x08, 0xFF, 0x82, 0x02, 0x03] + Array("tok".utf8) + [0x00]
        #expect(GoIDPayload(gob: tokenOnly) == GoIDPayload(email: "", token: "tok"))
    }

    @Test func readsTheClaimsMap() {
        #expect(
            GoClaimsPayload(gob: Self.claims()) == GoClaimsPayload(username: "A", email: "a@b.c", groups: ["g"]))
        #expect(
            GoClaimsPayload(gob: Self.claims(#"{"username":"A","email":"a@b.c","groups":null}"#))?.groups == .some(nil))
        // Go's JSON escapes, read as Go wrote them.
        #expect(
            GoClaimsPayload(gob: Self.claims(#"{"username":"A","email":"a@b.c","groups":["\u003cx\u0026y\u003e"]}"#))?
                .groups == ["<x&y>"])
    }

    @Test func anyUserTypeIDWorksWhenAllThreePlacesAgree() {
        #expect(GoClaimsPayload(gob: Self.claims(typeID: 0x82)) != nil)
        #expect(GoClaimsPayload(gob: Self.claims(typeID: 0xA0)) != nil)
        // The value message naming another type than the definition.
        var mismatched = Self.claims()
        mismatched[17] = 0x86
        #expect(GoClaimsPayload(gob: mismatched) == nil)
        var idMismatch = Self.id
        idMismatch[11] = 0x84  // CommonType.Id
        #expect(GoIDPayload(gob: idMismatch) == nil)
        // A built-in type id (below 65) defined as if it were the user's.
        var builtin = Self.id
        builtin[1] = 0x0B  // type -6 (string) where -65 was
        #expect(GoIDPayload(gob: builtin) == nil)
    }

    @Test func everyTruncationAndAnyTrailingByteIsRefused() {
        for count in 0..<Self.id.count {
            #expect(GoIDPayload(gob: Array(Self.id.prefix(count))) == nil, "ID cut at \(count)")
        }
        let claims = Self.claims()
        for count in 0..<claims.count {
            #expect(GoClaimsPayload(gob: Array(claims.prefix(count))) == nil, "claims cut at \(count)")
        }
        #expect(GoIDPayload(gob: Self.id + [0x00]) == nil)
        #expect(GoClaimsPayload(gob: claims + [0x00]) == nil)
    }

    @Test func otherFieldNamesOrTypesAreRefused() {
        var renamed = Self.id
        renamed[7] = UInt8(ascii: "X")  // type name "XD"
        #expect(GoIDPayload(gob: renamed) == nil)
        var field = Self.id
        field[17] = UInt8(ascii: "e")  // "email"
        #expect(GoIDPayload(gob: field) == nil)
        var type = Self.id
        type[23] = 0x04  // Email as int
        #expect(GoIDPayload(gob: type) == nil)
        // A third field in the value.
        var extra = Self.id
        extra.removeLast()
        extra += [0x01, 0x01, 0x41, 0x00]
        extra[37] += 3  // the value message's length
        #expect(GoIDPayload(gob: extra) == nil)
    }

    @Test func aNonMinimalIntegerIsRefused() {
        // The message length 0x24 spelled in two bytes.
        #expect(GoIDPayload(gob: [0xFF, 0x24] + Self.id.dropFirst()) == nil)
        var reader = GobReader([0xFE, 0x00, 0x85][...])
        #expect(reader.readUInt() == nil)
        var minimal = GobReader([0xFE, 0x01, 0x00][...])
        #expect(minimal.readUInt() == 256)
    }

    @Test func lengthsBeyondTheBytesLeftAreRefusedUnread() {
        var reader = GobReader([0xF8, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][...])
        #expect(reader.readBytes() == nil)
        var short = GobReader([0x05, 0x41][...])
        #expect(short.readString() == nil)
    }

    @Test func invalidUTF8IsRefused() {
        var reader = GobReader([0x02, 0xC3, 0x28][...])
        #expect(reader.readString() == nil)
    }
}
