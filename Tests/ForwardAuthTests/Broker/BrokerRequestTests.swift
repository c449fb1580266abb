import Testing

@testable import ForwardAuth

/// What the broker reads from outside: the `/sso` query and the callback's form, each field once.
@Suite("SSO broker: requests and forms")
struct BrokerRequestTests {
    static let callback = "https://auth.attached.example/_oauth/sso/callback"
    static let state = String(repeating: "A", count: 43)

    @Test(arguments: [
        ("https://AUTH.attached.example/_oauth/sso/callback", "https://auth.attached.example/_oauth/sso/callback"),
        ("HTTP://a.example:8080/cb", "http://a.example:8080/cb"),
    ])
    func callbacksCompareInCanonicalForm(_ text: String, _ canonical: String) {
        #expect(BrokerSettings.canonicalCallback(text) == canonical)
    }

    @Test(arguments: [
        "https://a.example", "https://a.example?x", "https://a.example/cb?x=1", "https://a.example/cb#f",
        "https://u:p@a.example/cb", "https://a.example\\@b.example/cb", "javascript:alert(1)", "//a.example/cb",
        "https://a.example/c b", "https://a%2eexample/cb",
    ])
    func callbacksWithoutAPlainPathAreRefused(_ text: String) {
        #expect(BrokerSettings.canonicalCallback(text) == nil)
    }

    @Test func aListedCallbackAndAWellFormedStateAreRead() throws {
        let request = try BrokerRequest(
            query: "callback=https%3A%2F%2FAUTH.attached.example%2F_oauth%2Fsso%2Fcallback&state=\(Self.state)",
            listed: [Self.callback])
        #expect(request.callback == Self.callback)
        #expect(request.state == Self.state)
    }

    @Test(arguments: [
        (
            "callback=https%3A%2F%2Fother.example%2F_oauth%2Fsso%2Fcallback&state=\(state)",
            "not in sso-broker-callbacks"
        ),
        ("state=\(state)", "not in sso-broker-callbacks"),
        ("callback=\(callback)&state=short", "no well-formed state"),
        ("callback=\(callback)&state=\(String(repeating: "A", count: 40))%3C", "no well-formed state"),
        ("callback=\(callback)&state=\(state)&state=\(state)", "appears more than once"),
        ("callback=\(callback)&state=\(state)&x=%zz", "not form-encoded UTF-8"),
    ])
    func badRequestsAreRefusedWithTheirReason(_ query: String, _ reason: String) {
        #expect {
            try BrokerRequest(query: query, listed: [Self.callback])
        } throws: { "\($0)".contains(reason) }
    }

    @Test func aReturnURLIsABrokerRequestOnlyOnTheBrokerPath() {
        let query = "callback=\(Self.callback)&state=\(Self.state)"
        #expect(
            BrokerRequest(
                returnURL: "https://auth.ui.example/_oauth/sso?\(query)", ssoPath: "/_oauth/sso",
                listed: [Self.callback])
                != nil)
        #expect(
            BrokerRequest(
                returnURL: "https://auth.ui.example/app?\(query)", ssoPath: "/_oauth/sso", listed: [Self.callback])
                == nil)
        #expect(
            BrokerRequest(returnURL: "https://auth.ui.example/_oauth/sso?\(query)", ssoPath: "/_oauth/sso", listed: [])
                == nil)
    }

    @Test func spentStatesAreRefusedUntilTheyExpireAndTheSetStaysBounded() {
        let spent = SpentStates(capacity: 3)
        #expect(spent.spend("a", expiresAt: 100, now: 0))
        #expect(!spent.spend("a", expiresAt: 100, now: 50))
        #expect(spent.spend("a", expiresAt: 300, now: 100))
        for name in ["b", "c", "d", "e"] { #expect(spent.spend(name, expiresAt: 200, now: 110)) }
        // The oldest went first; the most recent are still refused.
        #expect(!spent.spend("e", expiresAt: 200, now: 120))
    }

    @Test func theFormPageScriptHashIsTheScriptsSHA256() {
        // echo -n 'document.getElementById("broker").submit();' | openssl dgst -sha256 -binary | base64
        #expect(BrokerForm.submitScriptHash.hasPrefix("sha256-"))
        #expect(BrokerForm.submitScriptHash.count == 7 + 44)
    }
}
