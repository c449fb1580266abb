extension StringProtocol {
    /// The string with `A`–`Z` lower-cased and every other byte kept: how emails, domains and subjects are
    /// compared. Unicode lower-casing folds look-alikes into ASCII (KELVIN SIGN U+212A becomes `k`), which would
    /// let `\u{212A}ate@example.com` pass an allow-list as `kate@example.com`. Returns the string unchanged, without
    /// building a new one, when it has no upper-case ASCII letter.
    public func asciiLowercased() -> String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
