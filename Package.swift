// swift-tools-version:6.1
import Foundation
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The release binary's link, for resident memory (issue 20; docs/benchmarks.md has the figures). Every page of it
// that start-up or a request touches stays resident, and the kernel maps 64 KiB around each fault:
// - lld with DT_RELR (glibc 2.36+): 140,000 relative relocations in 20 KB instead of 3.3 MB, all read at start;
// - no `-export-dynamic` (the static stdlib's link arguments add it): nothing loads this binary's symbols at run
//   time, and exporting them all kept 4 MB of symbol tables;
// - the functions start-up and the request paths run, laid out together (`link-order.txt`, written by
//   `scripts/link-order`): 2 MiB of code instead of pages scattered over 31 MB. A stale list costs memory, not
//   correctness: names it lacks are placed as before, names no longer linked are ignored. It places functions,
//   not only source files, when every module is built with one section per function (`scripts/swift-release`);
// - what the list cannot name, by file and section, just before the ordered functions (`text-layout.ld`, also
//   written by `scripts/link-order`; it adds to lld's layout rather than replacing it): private functions
//   (closures' `objectdestroy` and the like have no symbol) and local names that many objects share.
let releaseLinkerFlags = [
    "-use-ld=lld",
    "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/forward-auth/link-order.txt",
    "-Xlinker", "--no-warn-symbol-ordering",
    "-Xlinker", "--script=\(Context.packageDirectory)/Sources/forward-auth/text-layout.ld",
]

let package = Package(
    name: "forward-auth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forward-auth", targets: ["forward-auth"]),
        .library(name: "ForwardAuth", targets: ["ForwardAuth"]),
        // The check path's fixture and the loop scripts/bench-guard counts under callgrind. Here, not in the
        // Benchmarks package, so that they build in the main release scratch path with the release binary's flags
        // (a second scratch path costs a second release build of every dependency).
        .library(name: "CheckPathFixtures", targets: ["CheckPathFixtures"]),
        .executable(name: "CheckLoop", targets: ["CheckLoop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // The wire: HTTP/1 request heads, header and `Cookie` parsing, the byte and text toolkit. No dependency on
        // NIO or on anything else here, so the parsers the fast lane runs are fuzzed as they are.
        .target(
            name: "ForwardAuthWire",
            dependencies: [.product(name: "ExtrasBase64", package: "swift-extras-base64")],
            swiftSettings: swiftSettings
        ),
        // The OpenID Connect client: discovery, the JWKS, the code exchange, ID token verification. The only
        // target that imports JWTKit.
        .target(
            name: "ForwardAuthOIDC",
            dependencies: ["ForwardAuthWire", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        // The decisions: forwarded requests, rules, sessions, authentication, authorization, the login flow and the
        // decision engine. No web framework, no I/O of its own.
        .target(
            name: "ForwardAuth",
            dependencies: [
                "ForwardAuthWire",
                "ForwardAuthOIDC",
                .product(name: "Crypto", package: "swift-crypto"),
                // AES-CTR, only for reading the Go fork's cookies (Session/GoCookies).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The configuration: options declared once, read from flags, environment and ini, checked, and turned into
        // the parts the decisions and the server are built from.
        .target(
            name: "ForwardAuthConfiguration",
            dependencies: ["ForwardAuth", "ForwardAuthOIDC", "ForwardAuthWire"],
            swiftSettings: swiftSettings
        ),
        // The HTTP adapter: the fast lane, Hummingbird, the AsyncHTTPClient-backed transports, services.
        .target(
            name: "ForwardAuthServer",
            dependencies: [
                "ForwardAuth",
                "ForwardAuthConfiguration",
                "ForwardAuthOIDC",
                "ForwardAuthWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "forward-auth",
            dependencies: [
                "ForwardAuth", "ForwardAuthConfiguration", "ForwardAuthOIDC", "ForwardAuthServer",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["link-order.txt", "text-layout.ld"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(releaseLinkerFlags, .when(platforms: [.linux], configuration: .release))]
        ),
        .target(
            name: "CheckPathFixtures",
            dependencies: [
                "ForwardAuth",
                "ForwardAuthOIDC",
                "ForwardAuthWire",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Fixtures",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CheckLoop",
            dependencies: ["CheckPathFixtures", "ForwardAuth", "ForwardAuthWire"],
            path: "Benchmarks/Profile/CheckLoop",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ForwardAuthTests",
            dependencies: [
                "ForwardAuth",
                "ForwardAuthConfiguration",
                "ForwardAuthOIDC",
                "ForwardAuthWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ForwardAuthServerTests",
            dependencies: [
                "ForwardAuthServer",
                "ForwardAuth",
                "ForwardAuthConfiguration",
                "ForwardAuthOIDC",
                "ForwardAuthWire",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Opt-in targets, as Hummingbird's ENABLE_HB_BENCHMARKS: in this manifest, so that they share the modules' `package`
// declarations, but only when asked for, so that the everyday build never fetches or builds their tooling.
let environment = ProcessInfo.processInfo.environment

// FORWARD_AUTH_FUZZ=1: the libFuzzer targets (scripts/fuzz builds them with sanitizers in .build-fuzz). Each
// `main.swift` defines `LLVMFuzzerTestOneInput`; FuzzSupport holds the fixed deployment, the input splitting and the
// invariant checks they share.
if environment["FORWARD_AUTH_FUZZ"] == "1" {
    let fuzzTargets = [
        "FuzzSessionCookie", "FuzzForwardedRequest", "FuzzRuleParser", "FuzzCallback", "FuzzIniFile",
        "FuzzRequestHead", "FuzzIDToken", "FuzzGoCookie",
    ]
    package.products += fuzzTargets.map { .executable(name: $0, targets: [$0]) }
    package.targets.append(
        .target(
            name: "FuzzSupport",
            dependencies: [
                "ForwardAuth", "ForwardAuthConfiguration", "ForwardAuthOIDC", "ForwardAuthWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Sources/FuzzSupport",
            swiftSettings: swiftSettings
        ))
    // FuzzGoCookie seals values as the Go fork did (HMAC, AES-CTR), to reach the payload readers behind the MAC.
    let sealing: [Target.Dependency] = [
        .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
    ]
    package.targets += fuzzTargets.map {
        .executableTarget(
            name: $0,
            dependencies: [
                "FuzzSupport", "ForwardAuth", "ForwardAuthConfiguration", "ForwardAuthOIDC", "ForwardAuthWire",
            ]
                + ($0 == "FuzzGoCookie" ? sealing : []),
            path: "Fuzz/Sources/\($0)", swiftSettings: swiftSettings)
    }
}

// FORWARD_AUTH_BENCHMARKS=1: the micro benchmarks (ordo-one/benchmark with its malloc interposer only: the Swift 6.3
// runtime interposer, a default trait, is not in the mirror). package-benchmark finds benchmark targets in a folder
// named `Benchmarks`. scripts/bench-micro sets it.
if environment["FORWARD_AUTH_BENCHMARKS"] == "1" {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "ForwardAuthBenchmarks",
            dependencies: [
                "CheckPathFixtures", "ForwardAuth", "ForwardAuthOIDC", "ForwardAuthWire",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ForwardAuthBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
