/// Roles and bindings are kept by name.
protocol RBACNamed {
    var name: String { get }
}
