import ForwardAuthOIDC

/// The `result` label of `forward_auth_jwks_refreshes_total`.
enum KeyRefreshResult: Int, Sendable, CaseIterable {
    /// The keys were replaced.
    case success
    /// The JWKS could not be fetched (unreachable, a non-200 answer, too large); the old keys stay.
    case fetchError
    /// The JWKS was fetched but holds no usable key; the old keys stay.
    case invalidKeys

    var label: String {
        switch self {
        case .success: "success"
        case .fetchError: "fetch_error"
        case .invalidKeys: "invalid_keys"
        }
    }

    init(_ error: OIDCError?) {
        guard let error else {
            self = .success
            return
        }
        self = error == .invalidKeySet || error == .noUsableKeys ? .invalidKeys : .fetchError
    }
}
