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

extension Page {
    /// After logout, when there is nowhere to send the browser. 401, never 2xx: proxies pass `Set-Cookie` on to
    /// the browser only with a non-2xx answer.
    package static let signedOut = Page(status: 401, title: "Signed out", message: "You are signed out.")
}
