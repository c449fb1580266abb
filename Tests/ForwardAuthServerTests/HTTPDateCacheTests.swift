import Testing

@testable import ForwardAuthServer
@testable import ForwardAuthWire

@Suite struct HTTPDateCacheTests {
    @Test func httpDatesAreIMFFixdate() {
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateCache.format(1_795_000_000) == "Wed, 18 Nov 2026 11:06:40 GMT")
    }
}
