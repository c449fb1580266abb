import ForwardAuthWire

/// The single-sign-on broker across domains (issue 19, docs/multi-cluster.md): the UI cluster's instance hands the
/// Dex ID token of its session to an attached instance, so a person types the password once for every cluster.
///
/// One instance may be both: the broker for its attached clusters and, itself, attached to another.
package struct BrokerSettings: Sendable, Hashable {
    /// UI instance (`sso-broker-callbacks`): the attached instances' callbacks allowed to receive a token, each
    /// in the form `canonicalCallback` gives; compared exactly.
    package var callbacks: Set<String>
    /// Attached instance (`sso-broker-url`): the UI instance's `<url-path>/sso`, where anonymous browsers go
    /// instead of to the provider.
    package var brokerURL: String?
    /// Attached instance (`sso-broker-audience`): the UI instance's client id; on the broker callback only, a
    /// token whose `aud` is exactly this is accepted.
    package var audience: String?

    package init(callbacks: Set<String> = [], brokerURL: String? = nil, audience: String? = nil) {
        self.callbacks = callbacks
        self.brokerURL = brokerURL
        self.audience = audience
    }

    /// This instance answers `<url-path>/sso`, and its sessions keep the Dex ID token to hand on.
    package var deliversTokens: Bool { !callbacks.isEmpty }
    /// This instance sends anonymous browsers to a broker and answers `<url-path>/sso/callback`.
    package var logsInThroughBroker: Bool { brokerURL != nil }

    /// A callback URL as it is compared: an absolute http(s) URL parsed strictly (`AbsoluteURL`: no userinfo,
    /// backslash or control character), with a path and neither query nor fragment; scheme and host lower-case.
    /// Nil when `text` is not such a URL.
    package static func canonicalCallback(_ text: some StringProtocol) -> String? {
        guard let url = AbsoluteURL(text), url.rest.utf8.first == UInt8(ascii: "/"),
            !url.rest.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
        else { return nil }
        return (url.isHTTPS ? "https://" : "http://") + url.authority.description + url.rest
    }
}
