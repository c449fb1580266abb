/// A small HTML page a person reads: a login that failed, a sign-out.
public struct Page: Sendable, Hashable {
    public var status: Int
    public var title: String
    public var message: String

    public init(status: Int, title: String, message: String) {
        self.status = status
        self.title = title
        self.message = message
    }
}
