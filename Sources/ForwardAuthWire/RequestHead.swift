/// An HTTP/1.x request head read in a strict subset of RFC 9112, for the check path's fast lane.
///
/// Traefik's subrequests are small, well-formed `GET`s; reading them here, with the header fields left as
/// byte ranges until the domain asks for one, costs a fraction of a general decoder that builds a `String`
/// pair for every field. Anything outside the subset is `.unsupported`, never guessed at: the server then hands
/// the bytes, untouched, to its general HTTP/1 decoder. So this parser may only ever be stricter than that one.
///
/// The subset: a request line `token SP target SP HTTP/1.0|1.1 CRLF` (the target visible ASCII), then fields
/// `token ":" OWS value CRLF` with values of visible ASCII, space and tab (none trailing), then `CRLF`. No bare
/// LF, no obs-fold, no obs-text, no control characters, at most `maxFields` fields in `maxLength` bytes.
package struct RequestHead: RequestHeaders {
    package enum Reading: Sendable {
        /// A whole head in the first `length` bytes.
        case complete(RequestHead, length: Int)
        /// No end of head yet, and not over the limits: wait for more bytes.
        case incomplete
        /// Outside the subset (or over the limits): for the general decoder to judge.
        case unsupported
    }

    /// Within one head of `maxLength` bytes, a field's offsets fit in 32 bits.
    private struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    package let method: String
    package let target: String
    /// 0 or 1: HTTP/1.0 or HTTP/1.1.
    package let minorVersion: Int
    /// The head's bytes; fields point into them.
    private let bytes: [UInt8]
    private let fields: [Field]

    package static let defaultMaxLength = 32 * 1024
    package static let defaultMaxFields = 128

    /// Reads the head at the start of `buffer`.
    ///
    /// - Parameter searchFrom: bytes already known to hold no end of head (a previous `.incomplete` reading of
    ///   a shorter buffer), so that a head arriving in many pieces is scanned once, not once per piece.
    package static func read(
        _ buffer: UnsafeRawBufferPointer, searchFrom: Int = 0, maxLength: Int = defaultMaxLength,
        maxFields: Int = defaultMaxFields
    ) -> Reading {
        guard let end = endOfHead(in: buffer, from: max(0, searchFrom - 3), limit: maxLength) else {
            // Bytes no head of the subset holds mean it never will be one: the general decoder judges now
            // rather than after `maxLength` bytes. Only the new bytes are scanned, so a head that arrives a byte
            // at a time costs one pass.
            let neverAHead = buffer.count >= maxLength || hasForbiddenByte(in: buffer, from: max(0, searchFrom - 1))
            return neverAHead ? .unsupported : .incomplete
        }
        guard let head = parse(UnsafeRawBufferPointer(rebasing: buffer[..<end]), maxFields: maxFields) else {
            return .unsupported
        }
        return .complete(head, length: end)
    }

    /// The index just past the first `CRLF CRLF`, if it lies within `limit` bytes.
    private static func endOfHead(in buffer: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int? {
        let count = min(buffer.count, limit)
        var index = start
        while index + 3 < count {
            if buffer[index + 3] != 0x0A {
                // Skip ahead: no terminator can end at index + 3.
                index += buffer[index + 3] == 0x0D ? 1 : 4
                continue
            }
            if buffer[index] == 0x0D, buffer[index + 1] == 0x0A, buffer[index + 2] == 0x0D { return index + 4 }
            index += 1
        }
        return nil
    }

    /// A byte that is neither visible ASCII, space nor tab, or a CR or LF that is not part of a CRLF.
    private static func hasForbiddenByte(in buffer: UnsafeRawBufferPointer, from start: Int) -> Bool {
        for index in start..<buffer.count {
            switch buffer[index] {
            case 0x20..<0x7F, 0x09: continue
            case 0x0D: if index + 1 < buffer.count, buffer[index + 1] != 0x0A { return true }
            case 0x0A: if index == 0 || buffer[index - 1] != 0x0D { return true }
            default: return true
            }
        }
        return false
    }

    /// Parses a head that ends with `CRLF CRLF`; nil when it is outside the subset.
    private static func parse(_ head: UnsafeRawBufferPointer, maxFields: Int) -> RequestHead? {
        var index = 0
        let count = head.count
        // Request line.
        let methodStart = index
        while index < count, HTTPToken.isTokenByte(head[index]) { index += 1 }
        guard index > methodStart, index - methodStart <= 32, index < count, head[index] == 0x20 else { return nil }
        let methodEnd = index
        index += 1
        let targetStart = index
        while index < count, head[index] > 0x20, head[index] < 0x7F { index += 1 }
        guard index > targetStart, index < count, head[index] == 0x20 else { return nil }
        let targetEnd = index
        index += 1
        // "HTTP/1.x" CRLF
        guard index + 10 <= count, head[index] == 0x48, head[index + 1] == 0x54, head[index + 2] == 0x54,
            head[index + 3] == 0x50, head[index + 4] == 0x2F, head[index + 5] == 0x31, head[index + 6] == 0x2E,
            head[index + 7] == 0x30 || head[index + 7] == 0x31, head[index + 8] == 0x0D, head[index + 9] == 0x0A
        else { return nil }
        let minorVersion = Int(head[index + 7] - 0x30)
        index += 10

        var fields: [Field] = []
        fields.reserveCapacity(24)
        while true {
            guard index + 1 < count else { return nil }
            if head[index] == 0x0D {
                // The empty line: it must be the last two bytes (the head ends at the first CRLF CRLF).
                guard head[index + 1] == 0x0A, index + 2 == count else { return nil }
                break
            }
            guard fields.count < maxFields else { return nil }
            let nameStart = index
            while index < count, HTTPToken.isTokenByte(head[index]) { index += 1 }
            // No whitespace before the colon (RFC 9112 §5.1), no empty name; a leading space is obs-fold.
            guard index > nameStart, index < count, head[index] == 0x3A else { return nil }
            let nameEnd = index
            index += 1
            while index < count, head[index] == 0x20 || head[index] == 0x09 { index += 1 }
            let valueStart = index
            while index < count {
                let byte = head[index]
                if byte == 0x0D { break }
                guard (byte >= 0x20 && byte < 0x7F) || byte == 0x09 else { return nil }
                index += 1
            }
            let valueEnd = index
            // Trailing whitespace is not part of the value (RFC 9110 §5.5), but NIO's decoder keeps it: such a
            // value could be judged differently on the two paths, so it is the decoder's alone.
            guard index + 1 < count, head[index + 1] == 0x0A,
                valueEnd == valueStart || (head[valueEnd - 1] != 0x20 && head[valueEnd - 1] != 0x09)
            else { return nil }
            index += 2
            fields.append(
                Field(
                    nameStart: Int32(nameStart), nameEnd: Int32(nameEnd), valueStart: Int32(valueStart),
                    valueEnd: Int32(valueEnd)))
        }
        return RequestHead(
            method: String(decoding: UnsafeRawBufferPointer(rebasing: head[methodStart..<methodEnd]), as: UTF8.self),
            target: String(decoding: UnsafeRawBufferPointer(rebasing: head[targetStart..<targetEnd]), as: UTF8.self),
            minorVersion: minorVersion, bytes: Array(head), fields: fields)
    }

    // MARK: - Fields

    /// The number of header fields (repeated names count once each).
    package var fieldCount: Int { fields.count }

    package func values(_ name: String) -> [String] {
        var values: [String] = []
        forEachField(named: name) { index in
            values.append(value(of: fields[index]))
            return true
        }
        return values
    }

    package func first(_ name: String) -> String? {
        index(named: name, last: false).map { value(of: fields[$0]) }
    }

    package func last(_ name: String) -> String? {
        index(named: name, last: true).map { value(of: fields[$0]) }
    }

    package func contains(_ name: String) -> Bool {
        index(named: name, last: false) != nil
    }

    /// The first (or last) field named `name`.
    private func index(named name: String, last: Bool) -> Int? {
        var found: Int?
        forEachField(named: name) { index in
            found = index
            return last
        }
        return found
    }

    /// Compares repeated values as bytes, so only the one value becomes a `String`.
    package func agreedValue(_ name: String) throws(DisagreeingHeader) -> String? {
        var first: Int?
        var agree = true
        forEachField(named: name) { index in
            guard let first else {
                first = index
                return true
            }
            agree = bytes.withUnsafeBufferPointer {
                $0[range(of: fields[index])].elementsEqual($0[range(of: fields[first])])
            }
            return agree
        }
        guard agree else { throw DisagreeingHeader() }
        return first.map { value(of: fields[$0]) }
    }

    /// Whether the connection stays open after the answer: HTTP/1.1 unless `Connection` names `close`,
    /// HTTP/1.0 only when it names `keep-alive` (RFC 9112 §9.3).
    package var isKeepAlive: Bool {
        var close = false
        var keepAlive = false
        for connection in values("Connection") {
            for token in connection.utf8.split(separator: UInt8(ascii: ",")) {
                let option = token.trimmingBlanks()
                if option.elementsEqual("close".utf8, by: Self.sameLetter) { close = true }
                if option.elementsEqual("keep-alive".utf8, by: Self.sameLetter) { keepAlive = true }
            }
        }
        return minorVersion == 1 ? !close : keepAlive && !close
    }

    private func range(of field: Field) -> Range<Int> { Int(field.valueStart)..<Int(field.valueEnd) }

    private func value(of field: Field) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0[range(of: field)], as: UTF8.self) }
    }

    /// Calls `body` with the index of each field named `name` (ASCII case-insensitively; the query is one of
    /// our own header names) until it returns false. One pass over the head's bytes per lookup: the domain asks
    /// for a dozen names per check.
    private func forEachField(named name: String, _ body: (Int) -> Bool) {
        var name = name
        name.withUTF8 { query in
            bytes.withUnsafeBufferPointer { buffer in
                for (index, field) in fields.enumerated() where Int(field.nameEnd - field.nameStart) == query.count {
                    let start = Int(field.nameStart)
                    var equal = true
                    for offset in 0..<query.count where !Self.sameLetter(buffer[start + offset], query[offset]) {
                        equal = false
                        break
                    }
                    if equal, !body(index) { return }
                }
            }
        }
    }

    @inline(__always)
    private static func sameLetter(_ a: UInt8, _ b: UInt8) -> Bool {
        if a == b { return true }
        let folded = a | 0x20
        return folded == b | 0x20 && folded >= 0x61 && folded <= 0x7A
    }
}
