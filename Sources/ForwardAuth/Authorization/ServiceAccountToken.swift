import Synchronization

/// The service-account token sent upstream with impersonation (`Authorization: Bearer …`).
///
/// Kubernetes projected tokens rotate, so the server re-reads the file when it changes and stores the new
/// value here; every allowed request reads the current one. Nil until the first successful read: impersonating
/// requests are then refused (503), never sent upstream without a token.
package final class ServiceAccountToken: Sendable {
    private let value: Mutex<String?>

    package init(_ token: String? = nil) {
        value = Mutex(token)
    }

    package var current: String? { value.withLock { $0 } }

    package func update(_ token: String?) {
        value.withLock { $0 = token }
    }
}
