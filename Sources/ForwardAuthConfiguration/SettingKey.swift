/// What a raw value is for: an option (by canonical name) or one field of a `rule.NAME.*` block.
enum SettingKey: Sendable, Hashable {
    case option(String)
    case rule(name: String, field: String)
}
