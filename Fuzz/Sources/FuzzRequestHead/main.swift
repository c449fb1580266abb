import ForwardAuthOIDC
import ForwardAuthWire
import FuzzSupport

// The check path's own HTTP/1 reader (`RequestHead`) takes the socket's bytes before any decoder. It must never
// trap, never read past a head, never let CR, LF or NUL into a value, and judge a head the same however its bytes
// arrive: a head that is unsupported in part is unsupported whole; a head read whole is incomplete in part; a
// search resumed after an incomplete reading finds what a fresh one finds.
//
// Input: raw bytes, as a client would send them.

private let names = [
    "Host", "X-Forwarded-Method", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Uri", "X-Forwarded-Prefix",
    "Cookie", "Accept", "Authorization", "Connection", "Content-Length", "Transfer-Encoding", "Upgrade", "X",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let whole = read(bytes, maxLength: 4096)
    checkCuts(bytes, whole: whole)
    guard case .complete(let head, let length) = whole else { return 0 }
    invariant(length <= bytes.count && length >= 18, "a head of \(length) bytes from \(bytes.count)")
    invariant(Array(bytes[(length - 4)..<length]) == [13, 10, 13, 10], "a head that does not end with CRLF CRLF")
    invariant(
        !head.method.isEmpty && head.method.utf8.allSatisfy(isTokenByte), "method \(head.method.debugDescription)")
    invariant(
        !head.target.isEmpty && head.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
        "target \(head.target.debugDescription)")
    invariant(head.minorVersion == 0 || head.minorVersion == 1, "HTTP/1.\(head.minorVersion)")
    for name in names {
        let values = head.values(name)
        invariant(head.first(name) == values.first && head.last(name) == values.last, "\(name): first/last/values")
        invariant(head.contains(name) == !values.isEmpty, "\(name): contains")
        for value in values {
            invariant(
                value.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }, "\(name): \(value.debugDescription)")
            invariant(
                value.utf8.first.map { $0 != 0x20 && $0 != 0x09 } ?? true
                    && value.utf8.last.map { $0 != 0x20 && $0 != 0x09 } ?? true,
                "\(name): whitespace around \(value.debugDescription)")
        }
        let agreed = try? head.agreedValue(name)
        if Set(values).count <= 1 {
            invariant(agreed == values.first, "\(name): agreed value of \(values)")
        } else {
            invariant(agreed == nil, "\(name): disagreeing values agreed")
        }
    }
    _ = head.isKeepAlive
    // What follows the head is not part of it.
    if case .complete(_, let again) = read(Array(bytes[..<length]), maxLength: 4096) {
        invariant(again == length, "the head alone reads \(again) bytes, not \(length)")
    } else {
        invariant(false, "the head alone is not complete")
    }
    return 0
}

private func read(_ bytes: [UInt8], searchFrom: Int = 0, maxLength: Int) -> RequestHead.Reading {
    bytes.withUnsafeBytes { RequestHead.read($0, searchFrom: searchFrom, maxLength: maxLength) }
}

/// Every cut for short inputs, a handful for long ones.
private func checkCuts(_ bytes: [UInt8], whole: RequestHead.Reading) {
    let cuts = bytes.count <= 256 ? Array(0..<bytes.count) : (1...16).map { bytes.count * $0 / 17 }
    for cut in cuts {
        let part = read(Array(bytes[..<cut]), maxLength: 4096)
        switch (part, whole) {
        case (.unsupported, .complete), (.unsupported, .incomplete):
            invariant(false, "unsupported after \(cut) bytes, but not whole")
        case (.complete(_, let length), .complete(_, let wholeLength)):
            invariant(length == wholeLength, "complete after \(cut) bytes at \(length), whole at \(wholeLength)")
        case (.complete, _):
            invariant(false, "complete after \(cut) bytes, but not whole")
        case (.incomplete, _):
            // Resuming the search after this incomplete reading must agree with a fresh one.
            let resumed = read(bytes, searchFrom: cut, maxLength: 4096)
            invariant(same(resumed, whole), "resumed from \(cut): \(resumed), fresh: \(whole)")
        default:
            break
        }
    }
}

private func same(_ a: RequestHead.Reading, _ b: RequestHead.Reading) -> Bool {
    switch (a, b) {
    case (.complete(_, let x), .complete(_, let y)): x == y
    case (.incomplete, .incomplete), (.unsupported, .unsupported): true
    default: false
    }
}

private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
    default: false
    }
}
