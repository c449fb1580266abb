import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire

/// Turns the winning raw values into typed ones, collecting every problem and warning instead of stopping at
/// the first.
///
/// Each accessor returns a usable value even after a problem (the default), so reading goes on and reports
/// everything at once; callers build a `Configuration` only when `problems` stays empty. A secret option's value
/// is never quoted in a problem or warning.
struct ConfigurationReader {
    let settings: RawSettings
    let readFile: (String) throws -> String
    private(set) var problems: [String] = []
    private(set) var warnings: [String] = []

    init(settings: RawSettings, readFile: @escaping (String) throws -> String) {
        self.settings = settings
        self.readFile = readFile
    }

    // Several fields may look at one option (a secret's length and its origin); say each thing once.
    mutating func problem(_ text: String) { if !problems.contains(text) { problems.append(text) } }
    mutating func warn(_ text: String) { if !warnings.contains(text) { warnings.append(text) } }

    /// The winning entry of a scalar option: the last of its source. Warns when that source gives it several
    /// different values.
    mutating func entry(_ name: String) -> RawEntry? {
        let entries = settings.entries(for: name)
        guard let last = entries.last else { return nil }
        if Set(entries.map(\.value)).count > 1 {
            warn("\(last.origin) is given \(entries.count) times with different values; the last one wins")
        }
        return last
    }

    /// How a problem names the option: where its value came from, else its flag and environment names.
    func naming(_ name: String, _ entry: RawEntry?) -> String {
        entry.map { $0.origin.description } ?? ConfigurationOption.canonical(name)?.spelling ?? name
    }

    /// `"value" ` for messages, or nothing for a secret.
    func quoted(_ name: String, _ value: String) -> String {
        ConfigurationOption.canonical(name)?.isSecret == true ? "" : "\"\(value)\" "
    }

    func defaultValue(_ name: String) -> String? {
        ConfigurationOption.canonical(name)?.defaultValue
    }

    /// The value as given (not trimmed: `forward-token-prefix` keeps its space), else the default, else "".
    mutating func string(_ name: String) -> String {
        entry(name)?.value ?? defaultValue(name) ?? ""
    }

    /// The value with its entry, or nil when absent or empty. With `below`, the value of the highest source
    /// under that one (or the default): what applies when the higher value is ignored.
    mutating func optionalString(_ name: String, below: SettingOrigin.Source? = nil) -> (
        value: String, entry: RawEntry?
    )? {
        let found = below.map { settings.entries(for: name, below: $0).last } ?? entry(name)
        if let entry = found {
            let value = String(entry.value.trimmingWhitespace())
            return value.isEmpty ? nil : (value, entry)
        }
        return defaultValue(name).map { ($0, nil) }
    }

    /// A value parsed by `parse`; a value it rejects is a problem "<where>: "<value>" is not <expected>".
    ///
    /// Except where go-flags ignored it (a Go fork option from the environment or the `CONFIG` file): there it
    /// is a warning, and the next source down (or the default) applies, so a swap does not stop the pod.
    mutating func parsed<T>(_ name: String, expected: String, _ parse: (String) -> T?) -> T? {
        var below: SettingOrigin.Source?
        while let (value, entry) = optionalString(name, below: below) {
            if let result = parse(value) { return result }
            let message = "\(naming(name, entry)): \(quoted(name, value))is not \(expected)"
            guard let entry, entry.origin.isLenient, GoForkOptions.ignoresBadValue(of: name) else {
                problem(message)
                return nil
            }
            warn("\(message); ignored, as the Go fork ignores it")
            below = entry.origin.source
        }
        return nil
    }

    mutating func bool(_ name: String) -> Bool {
        parsed(name, expected: "a boolean (true, false, t, f, 1, 0, yes, no)", ValueSyntax.bool)
            ?? defaultValue(name).flatMap(ValueSyntax.bool) ?? false
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) -> Int {
        let expected =
            range.upperBound == .max
            ? "an integer of at least \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        return parsed(name, expected: expected) { Int($0).flatMap { range.contains($0) ? $0 : nil } }
            ?? defaultValue(name).flatMap { Int($0) } ?? range.lowerBound
    }

    /// A list: every item of every entry of the winning source (commas, repeats), else the default's items.
    mutating func list(_ name: String) -> (items: [String], entries: [RawEntry]) {
        let splitOnWhitespace = ConfigurationOption.canonical(name)?.splitsOnWhitespace ?? false
        let entries = settings.entries(for: name)
        let texts = entries.isEmpty ? (defaultValue(name).map { [$0] } ?? []) : entries.map(\.value)
        var items: [String] = []
        for text in texts {
            for item in ValueSyntax.listItems(text, splitOnWhitespace: splitOnWhitespace) where !items.contains(item) {
                items.append(item)
            }
        }
        return (items, entries)
    }

    /// A secret given directly (`secret`) or as a file (`secret-file`). The higher source wins; one source
    /// giving both is a problem. A file's trailing newline is dropped.
    mutating func secret(_ name: String) -> Secret? {
        let direct = entry(name)
        let file = ConfigurationOption.all.first { $0.fileFor == name }.flatMap { entry($0.name) }
        if let direct, let file, direct.origin.source == file.origin.source {
            problem("\(direct.origin) and \(file.origin) both give \(name); give only one")
            return nil
        }
        guard let winner = secretEntry(name) else { return nil }
        if winner.key == .option(name) {
            return winner.value.isEmpty ? nil : Secret(winner.value)
        }
        return fileSecret(name, winner)
    }

    /// The entry a secret comes from: its own option or its `*-file` option, whichever source is higher.
    func secretEntry(_ name: String) -> RawEntry? {
        let direct = settings.entries(for: name).last
        let file = ConfigurationOption.all.first { $0.fileFor == name }.flatMap { settings.entries(for: $0.name).last }
        guard let direct, let file else { return direct ?? file }
        return direct.origin.source >= file.origin.source ? direct : file
    }

    private mutating func fileSecret(_ name: String, _ entry: RawEntry) -> Secret? {
        let path = String(entry.value.trimmingWhitespace())
        let text: String
        do {
            text = try readFile(path)
        } catch {
            problem("\(entry.origin): cannot read \(path): \(error)")
            return nil
        }
        var value = Substring(text)
        while let last = value.last, last.isNewline { value = value.dropLast() }
        guard !value.isEmpty else {
            problem("\(entry.origin): \(path) is empty")
            return nil
        }
        return Secret(String(value))
    }
}
