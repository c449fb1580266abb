/// What a request still needs after `DecisionEngine.judge`, which never waits: one async step
/// (`DecisionEngine.resume`) that ends in a `Decision`. Starting a login is not here: it never waits (the
/// provider's discovery is loaded or the login cannot start).
package enum PendingWork: Sendable {
    /// An API client's Bearer token not verified before: verify it, then authorize with `policy`.
    case verifyBearer(token: String, policy: AccessPolicy)
    /// The callback: check the state, redeem the code at the provider, verify the ID token, mint the session.
    case completeLogin
    /// `<url-path>/logout`: clear the session, then leave (the provider's end-session endpoint, if any).
    case logout
    /// The broker's form POST to `<url-path>/sso/callback`: the server reads the body (at most
    /// `SSOBroker.maximumBodyBytes`) and resumes with it.
    case completeBrokeredLogin
    /// `<url-path>/refresh`: renew the session at the provider.
    case refreshSession
}
