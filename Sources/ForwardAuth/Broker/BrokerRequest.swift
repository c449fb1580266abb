import ForwardAuthWire

/// What an attached instance asks the broker for: `<url-path>/sso?callback=<listed callback>&state=<its state>`.
package struct BrokerRequest: Sendable, Hashable {
    /// The listed callback, in its canonical form.
    package let callback: String
    /// The attached instance's own login state, bound there to its login-state cookie; handed back untouched.
    package let state: String

    package enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(FormFields.Problem)
        /// No `callback`, or one not in `sso-broker-callbacks` (logged shortened, never followed).
        case callbackNotListed(String?)
        case missingState

        package var description: String {
            switch self {
            case .malformed(let problem): "the broker request is malformed: \(problem)"
            case .callbackNotListed(let callback):
                "the callback \"\(loggable(callback ?? "-"))\" is not in sso-broker-callbacks"
            case .missingState: "the broker request has no well-formed state"
            }
        }
    }

    /// Reads the query of a `<url-path>/sso` request: each field once, the callback listed, the state 16–256
    /// base64url characters (an attached instance's states are 43).
    package init(query: String, listed callbacks: Set<String>) throws(Problem) {
        let fields: FormFields
        do { fields = try FormFields(query.utf8) } catch { throw .malformed(error) }
        let sent = fields.value("callback")
        guard let sent, let callback = BrokerSettings.canonicalCallback(sent), callbacks.contains(callback) else {
            throw .callbackNotListed(sent)
        }
        guard let state = fields.value("state"), (16...256).contains(state.utf8.count),
            state.utf8.allSatisfy(Base64URL.isAlphabetByte)
        else { throw .missingState }
        self.callback = callback
        self.state = state
    }

    /// The broker request a return URL holds, when it is one: `<anything>://<authority><ssoPath>?<query>`.
    /// The UI's own login for a broker request returns there; its refusal offers the attached login instead.
    package init?(returnURL: String, ssoPath: String, listed callbacks: Set<String>) {
        guard let url = AbsoluteURL(returnURL), url.rest.hasPrefix(ssoPath + "?"),
            let request = try? BrokerRequest(query: String(url.rest.dropFirst(ssoPath.count + 1)), listed: callbacks)
        else { return nil }
        self = request
    }
}
