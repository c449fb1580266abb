import ForwardAuthWire

/// Sessions already opened, by their exact sealed cookie value, so that a browser's many requests with one
/// cookie pay AES-GCM and decoding once (about half of a valid-cookie check's work, docs/benchmarks.md).
///
/// What keeps this as strict as opening every time:
/// - Only values that opened are kept: a forged or foreign cookie is never stored, so junk cannot fill it.
/// - The same bytes always open to the same session under the same keys (which are fixed for the process's
///   life), and expiry is still checked by the caller on every request.
/// - Keys compare in constant time (`SecretKey`); at most `capacity` (4,096 by default) are kept.
typealias OpenedSessions = SecretCache<Session>
