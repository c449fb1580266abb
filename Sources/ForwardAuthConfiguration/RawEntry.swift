/// One value as found in a source, not yet interpreted. A bare boolean flag (`--enable-rbac`) reads as `true`.
struct RawEntry: Sendable, Hashable {
    let key: SettingKey
    let value: String
    let origin: SettingOrigin
}
