import ForwardAuth

/// What the HTTP layer does for every forwarded check, minus Hummingbird: route, client kind, the forwarded
/// request parsed from the headers, then the gatekeeper's decision. Shared by the benchmarks and the callgrind
/// loop, so both measure the same work.
package struct CheckPath: Sendable {
    package let gatekeeper: Gatekeeper
    package let paths: Route.Paths

    package init(gatekeeper: Gatekeeper) {
        self.gatekeeper = gatekeeper
        self.paths = Route.Paths(urlPath: gatekeeper.settings.urlPath)
    }

    /// One request, as `Endpoints.begin` (the server) judges a `.check`: nil when the headers are malformed or
    /// the request is not a check (neither happens with the fixtures).
    package func decide(headers: some RequestHeaders, method: String, target: String, cookies: CookieList, now: Int64)
        -> Decision?
    {
        let route = Route(
            forwardedPath: headers.first("X-Forwarded-Uri").map(Route.path(of:)),
            requestLinePath: Route.path(of: target), paths: paths)
        guard route == .check else { return nil }
        let client = ClientKind(accept: headers.first("Accept"))
        guard let forwarded = try? ForwardedRequest(headers: headers, method: method, uri: target) else { return nil }
        return gatekeeper.check(forwarded, cookies: cookies, client: client, now: now)
    }
}
