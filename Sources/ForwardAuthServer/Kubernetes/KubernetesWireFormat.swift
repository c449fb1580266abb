/// The JSON shapes of the Kubernetes list and watch APIs that the RBAC client reads.
enum KubernetesWireFormat {
    /// A list response: `{"metadata":{"resourceVersion":"…","continue":"…"},"items":[…]}`.
    struct List<Object: Decodable>: Decodable {
        struct Metadata: Decodable {
            var resourceVersion: String?
            var `continue`: String?
        }

        var metadata: Metadata?
        var items: [Object]?
    }

    /// The part of a watch event read first: its type, and what an `ERROR` (a `Status`) or `BOOKMARK` carries.
    struct EventHead: Decodable {
        struct Object: Decodable {
            struct Metadata: Decodable {
                var resourceVersion: String?
            }

            var metadata: Metadata?
            /// `Status` fields of an `ERROR` event.
            var code: Int?
            var reason: String?
            var message: String?
        }

        var type: String
        var object: Object?
    }

    /// An `ADDED`, `MODIFIED` or `DELETED` event, read again for its object once the type is known.
    struct Event<Object: Decodable>: Decodable {
        var object: Object
    }

    /// A `Status` body, as sent with an HTTP error.
    struct Status: Decodable {
        var code: Int?
        var reason: String?
        var message: String?
    }
}
