/// Which of our endpoints a request is for.
///
/// The callback and logout are found on `X-Forwarded-Uri` first (DKP routes `/_oauth` through the
/// forward-auth middleware), then on the request line (a direct route to us). The nginx endpoints
/// (`<url-path>/auth`, `<url-path>/start`) are ours only on the request line: nginx calls them directly.
public enum Route: Sendable, Hashable {
    /// Judge the forwarded request (Traefik's and Caddy's subrequest).
    case check
    /// Judge it, but answer 401 instead of redirecting (nginx `auth_request`).
    case checkWithoutRedirect
    case callback
    case logout
    /// Start a login for `?rd=<return URL>` (nginx `error_page 401`).
    case startLogin

    /// - Parameters:
    ///   - forwardedPath: the path of `X-Forwarded-Uri` (without prefix or query), if that header is present.
    ///   - requestLinePath: the path of the subrequest's own request line.
    ///   - urlPath: the configured callback path (`/_oauth`).
    public init(forwardedPath: Substring?, requestLinePath: Substring, urlPath: String) {
        let logoutPath = urlPath + "/logout"
        if requestLinePath == urlPath + "/auth" {
            self = .checkWithoutRedirect
        } else if requestLinePath == urlPath + "/start" {
            self = .startLogin
        } else if let forwardedPath, forwardedPath == urlPath || forwardedPath == logoutPath {
            self = forwardedPath == urlPath ? .callback : .logout
        } else if forwardedPath == nil, requestLinePath == urlPath {
            self = .callback
        } else if forwardedPath == nil, requestLinePath == logoutPath {
            self = .logout
        } else {
            self = .check
        }
    }

    /// The path part of a request target (before `?` or `#`).
    public static func path(of target: String) -> Substring {
        let end = target.firstIndex { $0 == "?" || $0 == "#" } ?? target.endIndex
        return target[..<end]
    }
}
