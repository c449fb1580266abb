/// A small HTML page a person reads: a login that failed, a sign-out.
package struct Page: Sendable, Hashable {
    package var status: Int
    package var title: String
    package var message: String

    package init(status: Int, title: String, message: String) {
        self.status = status
        self.title = title
        self.message = message
    }
}
