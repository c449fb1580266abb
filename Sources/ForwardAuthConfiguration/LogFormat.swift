/// The `log-format` option: `text` (logfmt), `json`, or `pretty` (text for humans at a terminal).
package enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case text, json, pretty

    package init?(parsing text: String) {
        self.init(rawValue: text.lowercased())
    }
}
