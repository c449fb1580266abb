/// The identity provider's state as `/readyz` reports it.
package protocol ProviderStatusSource: Sendable {
    func providerStatus() async -> (ready: Bool, detail: String)
}
