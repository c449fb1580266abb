import Testing

@testable import ForwardAuthConfiguration

/// `NO_PROXY` as Go's httpproxy reads it.
@Suite("Outbound proxy: NO_PROXY")
struct NoProxyListTests {
    @Test(arguments: [
        // A domain matches itself and every name below it, on any port.
        ("example.com", "example.com", "443", true), ("example.com", "dex.example.com", "443", true),
        ("example.com", "a.b.example.com", "80", true),
        // ... on a dot boundary only.
        ("example.com", "badexample.com", "443", false), ("example.com", "example.org", "443", false),
        // A leading dot, or `*.`, matches only names below it.
        (".example.com", "example.com", "443", false), (".example.com", "dex.example.com", "443", true),
        ("*.example.com", "example.com", "443", false), ("*.example.com", "dex.example.com", "443", true),
        // Case and blanks do not matter.
        (" Example.COM ", "dex.example.com", "443", true),
        // A port must equal the request's.
        ("example.com:8443", "dex.example.com", "8443", true), ("example.com:8443", "dex.example.com", "443", false),
        // An empty port means any port (Go).
        ("example.com:", "example.com", "443", true),
        // Addresses, with or without a port.
        ("10.0.0.1", "10.0.0.1", "443", true), ("10.0.0.1", "10.0.0.2", "443", false),
        ("10.0.0.1:8443", "10.0.0.1", "8443", true), ("10.0.0.1:8443", "10.0.0.1", "443", false),
        ("fd00::1", "fd00::1", "443", true), ("[fd00::1]:443", "fd00::1", "443", true),
        ("[fd00::1]:443", "fd00::1", "80", false), ("fd00::1", "fd00::2", "443", false),
        // An IPv4-mapped IPv6 host is its IPv4 address.
        ("10.0.0.1", "::ffff:10.0.0.1", "443", true),
        // CIDR blocks hold IP hosts, not names.
        ("10.0.0.0/8", "10.96.0.1", "443", true), ("10.0.0.0/8", "11.0.0.1", "443", false),
        ("10.0.0.0/8", "ten.example.com", "443", false), ("fd00::/8", "fd12::1", "443", true),
        ("fd00::/8", "fe80::1", "443", false), ("192.168.1.0/24", "192.168.1.255", "80", true),
        ("192.168.1.0/24", "192.168.2.1", "80", false), ("0.0.0.0/0", "203.0.113.9", "80", true),
        // `*` exempts everything, wherever it is in the list.
        ("*", "anything.example.com", "443", true), ("example.org,*", "203.0.113.9", "80", true),
        // A list: any entry may match; empty entries are skipped.
        ("example.org,,10.0.0.0/8, dex.example.com", "dex.example.com", "443", true),
        ("example.org,,10.0.0.0/8", "dex.example.com", "443", false),
        // An entry without a host is skipped.
        (":443", "example.com", "443", false), ("", "example.com", "443", false),
    ])
    func exempts(list: String, host: String, port: String, expected: Bool) {
        #expect(NoProxyList(list).exempts(host: host, port: port) == expected)
    }

    @Test func describesItselfAsGiven() {
        #expect(NoProxyList("example.com, 10.0.0.0/8").description == "example.com, 10.0.0.0/8")
        #expect(NoProxyList("").isEmpty)
        #expect(NoProxyList(" , ").isEmpty)
        #expect(!NoProxyList("*").isEmpty)
    }
}

@Suite("Outbound proxy: IP addresses")
struct IPAddressTests {
    @Test(arguments: ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"])
    func loopback(text: String) throws {
        #expect(try #require(IPAddress(parsing: text)).isLoopback)
    }

    @Test(arguments: ["10.0.0.1", "::2", "fd00::1", "128.0.0.1", "::"])
    func notLoopback(text: String) throws {
        #expect(try !#require(IPAddress(parsing: text)).isLoopback)
    }

    @Test(arguments: [
        "", "localhost", "10.0.0", "10.0.0.256", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "::g", " 1.2.3.4",
    ])
    func refusesWhatIsNoAddress(text: String) {
        #expect(IPAddress(parsing: text) == nil)
    }

    @Test(arguments: [
        "10.0.0.0/33", "10.0.0.0/", "10.0.0.0", "fd00::/129", "example.com/8", "10.0.0.0/-1", "10.0.0.0/8/8",
    ])
    func refusesWhatIsNoNetwork(text: String) {
        #expect(IPNetwork(parsing: text) == nil)
    }

    @Test func mappedNetworksCountOverIPv4() throws {
        let network = try #require(IPNetwork(parsing: "::ffff:10.0.0.0/104"))
        #expect(network.prefixLength == 8)
        #expect(network.contains(try #require(IPAddress(parsing: "10.1.2.3"))))
        #expect(!network.contains(try #require(IPAddress(parsing: "11.1.2.3"))))
    }

    @Test func describesItself() throws {
        #expect(try #require(IPAddress(parsing: "10.0.0.1")).description == "10.0.0.1")
        #expect(try #require(IPNetwork(parsing: "fd00::/8")).description == "fd00:0:0:0:0:0:0:0/8")
    }
}
