import ForwardAuth
import ForwardAuthOIDC
import FuzzSupport

// An ID token as a Bearer token and at the callback: split, header read, key chosen, signature checked, and only
// then payload decoded and claims validated (`OIDCClient.verifyCached`, the keys of `IDTokenFixture` loaded).
//
// Input: the token text. Seeds: the fixture's signed tokens and spellings around them.
// Invariants: fuzzing cannot sign, so a token that verifies is one the key signed, byte for byte (one spelling of
// each part), and one the validator must accept (neither the unverified email nor the expired one), with the
// identity it carries.

private let client = IDTokenFixture.loadedClient()
/// Token → the email and groups it must verify to.
private let accepted: [String: (email: String, groups: [String])] = [
    IDTokenFixture.signed[0]: ("alice@example.com", ["devs", "ops"]),
    IDTokenFixture.signed[1]: ("alice@example.com", ["devs", "ops"]),
    IDTokenFixture.signed[4]: ("bob@example.com", ["admins"]),
]
private let policies: [AudiencePolicy] = [
    .bearer(trustedAudiences: []), .callback, .callbackRequesting(audiences: ["attached"]),
    .brokered(trustedAudiences: ["ui"], brokerAudience: "ui"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDToken(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let token = FuzzInput(data, size).text
    for policy in policies {
        let claims = runBlocking {
            try? await client.verifyCached(idToken: token, policy: policy, now: IDTokenFixture.now)
        }
        guard let claims else { continue }
        let expected = accepted[token]
        invariant(expected != nil, "a token the key did not sign this way, or must refuse, verified")
        invariant(
            claims.email == expected?.email && claims.groups == expected?.groups && claims.emailVerified != false,
            "a verified token's claims are not the signed ones")
    }
    return 0
}
