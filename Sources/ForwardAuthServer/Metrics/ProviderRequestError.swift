import AsyncHTTPClient
import ForwardAuthOIDC
import NIOCore
import NIOSSL

/// Why a request to the identity provider failed, as the `error` label of
/// `forward_auth_idp_request_errors_total` counts it.
enum ProviderRequestError: Int, Sendable, CaseIterable {
    /// Connecting, reading or the whole request took too long.
    case timeout
    /// The connection could not be made or broke (refused, reset, DNS).
    case connection
    /// The TLS handshake failed (an untrusted certificate, a wrong name).
    case tls
    /// The answer was larger than the caller accepts.
    case bodyTooLarge
    case status4xx
    case status5xx
    /// A status that is neither 2xx, 4xx nor 5xx (a redirect: we follow none).
    case statusOther

    static let count = 7

    var label: String {
        switch self {
        case .timeout: "timeout"
        case .connection: "connection"
        case .tls: "tls"
        case .bodyTooLarge: "body_too_large"
        case .status4xx: "status_4xx"
        case .status5xx: "status_5xx"
        case .statusOther: "status_other"
        }
    }

    /// nil for a 2xx status.
    init?(status: Int) {
        switch status {
        case 200..<300: return nil
        case 400..<500: self = .status4xx
        case 500..<600: self = .status5xx
        default: self = .statusOther
        }
    }

    /// A transport's thrown error.
    init(_ error: any Error) {
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout, .deadlineExceeded,
                .getConnectionFromPoolTimeout:
                self = .timeout
            default:
                self = .connection
            }
        } else if error is NIOTooManyBytesError {
            self = .bodyTooLarge
        } else if error is NIOSSLError || error is NIOSSLExtraError {
            self = .tls
        } else {
            self = .connection
        }
    }
}
