/// Which of our endpoints a request is for.
///
/// The callback and logout are found on `X-Forwarded-Uri` first (DKP routes `/_oauth` through the
/// forward-auth middleware), then on the request line (a direct route to us). The nginx endpoints
/// (`<url-path>/auth`, `<url-path>/start`) are ours only on the request line: nginx calls them directly.
package enum Route: Sendable, Hashable {
    /// Judge the forwarded request (Traefik's and Caddy's subrequest).
    case check
    /// Judge it, but answer 401 instead of redirecting (nginx `auth_request`).
    case checkWithoutRedirect
    case callback
    case logout
    /// Start a login for `?rd=<return URL>` (nginx `error_page 401`).
    case startLogin
    /// The UI instance's `<url-path>/sso` (request line, with `sso-broker-callbacks`): hand a session's ID token
    /// to a listed attached instance.
    case brokerDelivery
    /// An attached instance's `<url-path>/sso/callback` on the request line (with `sso-broker-url`): the broker's
    /// form POST, passed on by the proxy.
    case brokerCallback
    /// A proxy's subrequest for that callback: answered 200 without identity headers, so the proxy passes the
    /// POST on to us.
    case brokerCallbackPassage
    /// `<url-path>/refresh` (with `refresh-sessions`), found like the callback: renew the session at the provider.
    case refresh

    /// Our endpoint paths under `url-path`, built once: routing runs on every request.
    package struct Paths: Sendable, Hashable {
        package let callback: String
        package let logout: String
        package let check: String
        package let start: String
        /// Nil unless this instance is a broker (`sso-broker-callbacks`).
        package let brokerDelivery: Substring?
        /// Nil unless this instance logs in through a broker (`sso-broker-url`).
        package let brokerCallback: Substring?
        /// Nil unless sessions are refreshed (`refresh-sessions`).
        package let refresh: Substring?

        package init(urlPath: String, broker: BrokerSettings = BrokerSettings(), refreshes: Bool = false) {
            refresh = refreshes ? Substring(urlPath + RefreshSettings.pathSuffix) : nil
            callback = urlPath
            logout = urlPath + "/logout"
            check = urlPath + "/auth"
            start = urlPath + "/start"
            brokerDelivery = broker.deliversTokens ? Substring(urlPath + SSOBroker.deliverySuffix) : nil
            brokerCallback = broker.logsInThroughBroker ? Substring(urlPath + SSOBroker.callbackSuffix) : nil
        }
    }

    /// - Parameters:
    ///   - forwardedPath: the path of `X-Forwarded-Uri` (without prefix or query), if that header is present.
    ///   - requestLinePath: the path of the subrequest's own request line.
    ///   - paths: the endpoint paths under the configured `url-path` (`/_oauth`).
    package init(forwardedPath: Substring?, requestLinePath: Substring, paths: borrowing Paths) {
        if requestLinePath == paths.check {
            self = .checkWithoutRedirect
        } else if requestLinePath == paths.start {
            self = .startLogin
        } else if requestLinePath == paths.brokerDelivery {
            self = .brokerDelivery
        } else if requestLinePath == paths.brokerCallback {
            self = .brokerCallback
        } else if let forwardedPath {
            self =
                forwardedPath == paths.callback
                ? .callback
                : forwardedPath == paths.logout
                    ? .logout
                    : forwardedPath == paths.brokerCallback
                        ? .brokerCallbackPassage : forwardedPath == paths.refresh ? .refresh : .check
        } else if requestLinePath == paths.callback {
            self = .callback
        } else if requestLinePath == paths.refresh {
            self = .refresh
        } else if requestLinePath == paths.logout {
            self = .logout
        } else {
            self = .check
        }
    }

    package init(forwardedPath: Substring?, requestLinePath: Substring, urlPath: String) {
        self.init(forwardedPath: forwardedPath, requestLinePath: requestLinePath, paths: Paths(urlPath: urlPath))
    }

    /// The path part of a request target (before `?` or `#`).
    package static func path(of target: String) -> Substring {
        // UTF-8 rather than Characters: no grapheme breaking on every request.
        let end = target.utf8.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? target.endIndex
        return target[..<end]
    }
}
