/// How text from requests, tokens and the provider is written into what we send and log: JSON strings, HTML, and
/// log lines. One place decides what counts as a control character, so every writer escapes the same set.
enum TextEscaping {
    /// C0, DEL, C1, the line and paragraph separators and the invisible format characters (zero-width, bidi
    /// overrides, BOM): what a terminal or a log viewer may act on or hide (ESC starts a terminal sequence, U+2028
    /// breaks a line in JavaScript-based viewers, U+202E reverses what follows). Escaped wherever text is written.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }

    static func json(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `\uXXXX`, as JSON writes a character (the controls escaped here are all in the Basic Multilingual Plane).
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// For `pretty` logs: the text as it is, but every control character escaped as JSON escapes it.
    static func controlsEscaped(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: isControl) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            if isControl(scalar) {
                out += unicodeEscape(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
