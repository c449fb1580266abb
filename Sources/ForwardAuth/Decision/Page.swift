/// A small HTML page a person reads: a login that failed, a sign-out.
package struct Page: Sendable, Hashable {
    package var status: Int
    package var title: String
    package var message: String
    /// A way on, below the message (a refused brokered sign-in offers the provider directly).
    package var link: Link?

    package struct Link: Sendable, Hashable {
        package var url: String
        package var text: String
    }

    package init(status: Int, title: String, message: String, link: Link? = nil) {
        self.status = status
        self.title = title
        self.message = message
        self.link = link
    }

    /// This page with a link to `url`.
    package func linking(to url: String, text: String) -> Page {
        var page = self
        page.link = Link(url: url, text: text)
        return page
    }
}

extension Page {
    /// After logout, when there is nowhere to send the browser. 401, never 2xx: proxies pass `Set-Cookie` on to
    /// the browser only with a non-2xx answer.
    package static let signedOut = Page(status: 401, title: "Signed out", message: "You are signed out.")
}
