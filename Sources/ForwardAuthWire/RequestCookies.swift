/// The cookies of the subrequest, as the HTTP layer parsed them from the `Cookie` header(s).
package protocol RequestCookies: Sendable {
    /// The value of the first cookie named `name`.
    func value(_ name: String) -> String?
    /// The names of all cookies that start with `prefix`, in the order sent.
    func names(withPrefix prefix: String) -> [String]
}
