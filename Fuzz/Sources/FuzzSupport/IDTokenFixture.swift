import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

/// A provider's one signing key (ES256, kid `fuzz-1`) and ID tokens it signed, for `FuzzIDToken`.
///
/// Minted once with Python's `cryptography` (the private key was not kept): fuzzing cannot sign, so a token that
/// verifies must be one of these, byte for byte.
package enum IDTokenFixture {
    package static let issuer = "https://dex.example.com/dex"
    package static let clientID = "forward-auth"
    /// Tokens are issued at `FuzzFixtures.now - 60` and expire an hour after `FuzzFixtures.now`.
    package static let now = Date(timeIntervalSince1970: TimeInterval(FuzzFixtures.now))

    static let jwks = #"""
        {"keys":[{"kty":"EC","crv":"P-256","kid":"fuzz-1","alg":"ES256","use":"sig",
        "x":"F6tM6-XRQooyr-BdR0_QbxJSU6fwokjsjrtXelH6yto","y":"8UyuOeRAR7-qppg6UfhQjPnEasoqLSUuJ6zl3xQvZA0"}]}
        """#

    /// What the key signed: alice's token; alice's with a second audience and `azp`; two the validator must refuse
    /// (`email_verified: false`, expired); bob's, whose `groups` is one string (read as one group, `admins`).
    package static let signed = [
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RleC5leGFtcGxlLmNvbS9kZXgiLCJzdWIiOiJmdXp6LXVzZXIiLCJhdWQiOiJmb3J3YXJkLWF1dGgiLCJpYXQiOjE3OTk5OTk5NDAsImV4cCI6MTgwMDAwMzYwMCwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJncm91cHMiOlsiZGV2cyIsIm9wcyJdfQ.gArqUGOeYf6MeUHffXD5eaCO46Mg1DspJHBru0eC9viaVQXOwFlk4bzHrpi_XwQ9rfv2HUqT6qDGdLDBP2ETRQ",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RleC5leGFtcGxlLmNvbS9kZXgiLCJzdWIiOiJmdXp6LXVzZXIiLCJhdWQiOlsiZm9yd2FyZC1hdXRoIiwib3RoZXIiXSwiaWF0IjoxNzk5OTk5OTQwLCJleHAiOjE4MDAwMDM2MDAsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwiZ3JvdXBzIjpbImRldnMiLCJvcHMiXSwiYXpwIjoiZm9yd2FyZC1hdXRoIiwibmFtZSI6IkFsaWNlIiwibmJmIjoxNzk5OTk5OTQwfQ.Tm5FhxI5_lhBInfMEtdsCEjLalOmGTTiHmJFlvWL-Uh86EeVOfwBNjQdAg5RTHFzdVA591nsz55hbHBPy46aKQ",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RleC5leGFtcGxlLmNvbS9kZXgiLCJzdWIiOiJmdXp6LXVzZXIiLCJhdWQiOiJmb3J3YXJkLWF1dGgiLCJpYXQiOjE3OTk5OTk5NDAsImV4cCI6MTgwMDAwMzYwMCwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsImVtYWlsX3ZlcmlmaWVkIjpmYWxzZSwiZ3JvdXBzIjpbImRldnMiLCJvcHMiXX0.eBMsjw4Qk9cuTtUKPkl1KtjmG6Wc36j-7RlW5gUliPPGbtr9VFGBkfIaHdqU_Kob0H6_un8L_f4S7WqBhsKEMQ",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RleC5leGFtcGxlLmNvbS9kZXgiLCJzdWIiOiJmdXp6LXVzZXIiLCJhdWQiOiJmb3J3YXJkLWF1dGgiLCJpYXQiOjE3OTk5OTk5NDAsImV4cCI6MTc5OTk5NjQwMCwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJncm91cHMiOlsiZGV2cyIsIm9wcyJdfQ.h5Nq03nqYanDqxW-cpTbbHw8oL_FhEo40asjQM8-kqN4Dvou3qKE-Wx9HAeYbZ8J2x8R_vlEKpQvjnS5VpgPsw",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RleC5leGFtcGxlLmNvbS9kZXgiLCJzdWIiOiJmdXp6LXVzZXIiLCJhdWQiOiJmb3J3YXJkLWF1dGgiLCJpYXQiOjE3OTk5OTk5NDAsImV4cCI6MTgwMDAwMzYwMCwiZW1haWwiOiJib2JAZXhhbXBsZS5jb20iLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwiZ3JvdXBzIjoiYWRtaW5zIn0.79BNljLNHLhmkRQMCRb5mR10mFdefyaiV6sv9AEdS3W7s5_SX9Kzyo1fwNTlQ982FMy3c_voRZcaS9QteDZn7A",
    ]

    /// An OIDC client with this provider's discovery and keys loaded.
    package static func loadedClient() -> OIDCClient {
        let client = OIDCClient(
            settings: OIDCClientSettings(issuer: issuer, clientID: clientID, clientSecret: Secret("fuzz")),
            transport: StaticProvider())
        let loaded = runBlocking { (try? await client.load(now: now)) != nil }
        guard loaded else { fatalError("IDTokenFixture: the client did not load the fixture's keys") }
        return client
    }

    /// Discovery and the JWKS from memory; nothing else.
    struct StaticProvider: HTTPTransport {
        func send(_ request: OutboundRequest) async throws -> OutboundResponse {
            let body: String
            switch request.url.path {
            case "/dex/.well-known/openid-configuration":
                body = """
                    {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/auth","token_endpoint":"\(issuer)/token",
                    "jwks_uri":"\(issuer)/keys","response_types_supported":["code"]}
                    """
            case "/dex/keys":
                body = jwks
            default:
                return OutboundResponse(status: 404, headers: [], body: [])
            }
            return OutboundResponse(
                status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
    }
}
