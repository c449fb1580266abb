import ForwardAuth

/// The bytes libFuzzer hands one run, with the few ways the targets cut them up.
///
/// Text is decoded leniently (invalid UTF-8 becomes U+FFFD), as the HTTP layer hands the domain `String`s.
package struct FuzzInput: Sendable {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies libFuzzer's buffer; a null pointer (empty input) gives no bytes.
    package init(_ start: UnsafePointer<UInt8>?, _ count: Int) {
        guard let start, count > 0 else {
            self.bytes = []
            return
        }
        self.bytes = Array(UnsafeBufferPointer(start: start, count: count))
    }

    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The first byte, which targets with several modes read as the mode, and the rest.
    package var modeAndPayload: (mode: UInt8, payload: FuzzInput)? {
        guard let first = bytes.first else { return nil }
        return (first, FuzzInput(Array(bytes.dropFirst())))
    }

    /// The input cut at every `separator` byte, empty pieces kept, at most `limit` pieces (the last holds the
    /// rest, separators included).
    package func pieces(separatedBy separator: UInt8, limit: Int = .max) -> [String] {
        bytes.split(separator: separator, maxSplits: max(limit - 1, 0), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Newline-separated lines, without a trailing carriage return.
    package func lines(limit: Int = .max) -> [String] {
        pieces(separatedBy: UInt8(ascii: "\n"), limit: limit).map {
            $0.utf8.last == UInt8(ascii: "\r") ? String($0.dropLast()) : $0
        }
    }
}
