/// Provider- or attacker-supplied text fit for a log line or a page: printable ASCII only, at most `limit`
/// characters, so it can neither write control sequences nor grow a line without bound.
package func loggable(_ text: String, limit: Int = 100) -> String {
    let scalars = text.unicodeScalars.lazy.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(limit)
    return String(String.UnicodeScalarView(scalars))
}
