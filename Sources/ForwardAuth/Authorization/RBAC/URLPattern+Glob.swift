import ForwardAuthOIDC

extension URLPattern {
    /// A v3 glob: anchored at both ends; `*` matches any bytes but `/`, `**` any bytes but a newline.
    ///
    /// Run as a set of live positions in the pattern (a Thompson NFA), so a match costs at most input length ×
    /// pattern length steps whatever the stars, and the two state rows live on the stack.
    struct Glob: Sendable {
        enum Token: Sendable, Equatable {
            case byte(UInt8)
            case star
            case doubleStar

            var isStar: Bool {
                if case .byte = self { return false }
                return true
            }
        }

        let tokens: [Token]
        /// The pattern itself: Go lets a glob match a text equal to it before compiling it.
        let source: String

        init(_ pattern: String) {
            var tokens: [Token] = []
            let bytes = Array(pattern.utf8)
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "*") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                        tokens.append(.doubleStar)
                        index += 2
                    } else {
                        tokens.append(.star)
                        index += 1
                    }
                } else {
                    tokens.append(.byte(bytes[index]))
                    index += 1
                }
            }
            self.tokens = tokens
            self.source = pattern
        }

        func matches(_ text: some Sequence<UInt8>, count: Int) -> Bool {
            guard count <= URLPattern.maximumInputLength else { return false }
            if count == source.utf8.count, text.elementsEqual(source.utf8) { return true }
            let states = tokens.count + 1
            return withUnsafeTemporaryAllocation(of: Bool.self, capacity: 2 * states) { buffer in
                var current = UnsafeMutableBufferPointer(rebasing: buffer[0..<states])
                var next = UnsafeMutableBufferPointer(rebasing: buffer[states..<(2 * states)])
                current.initialize(repeating: false)
                next.initialize(repeating: false)
                current[0] = true
                close(current)
                for byte in text {
                    var alive = false
                    for state in 0..<tokens.count where current[state] {
                        switch tokens[state] {
                        case .byte(let expected):
                            if expected == byte {
                                next[state + 1] = true
                                alive = true
                            }
                        case .star:
                            if byte != UInt8(ascii: "/") {
                                next[state] = true
                                alive = true
                            }
                        case .doubleStar:
                            if byte != UInt8(ascii: "\n") {
                                next[state] = true
                                alive = true
                            }
                        }
                    }
                    guard alive else { return false }
                    close(next)
                    swap(&current, &next)
                    for state in 0..<states { next[state] = false }
                }
                return current[tokens.count]
            }
        }

        /// Adds the positions reachable by letting stars match nothing (edges only go forward).
        private func close(_ states: UnsafeMutableBufferPointer<Bool>) {
            for state in 0..<tokens.count where states[state] && tokens[state].isStar {
                states[state + 1] = true
            }
        }
    }
}
