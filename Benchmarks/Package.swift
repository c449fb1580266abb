// swift-tools-version:6.1
// Micro benchmarks of the domain's hot path (issue 7). A package of its own, so the root package and its CI
// build never fetch or build the benchmark tooling. Run: scripts/bench-micro.
import PackageDescription

let package = Package(
    name: "forward-auth-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "forward-auth", path: ".."),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Only the malloc interposer: the Swift 6.3 runtime interposer (a default trait) is not in the mirror, and
        // ARC counts are not what these benchmarks report.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The fixtures both the benchmarks and the callgrind loop use: a deployment, a request, an ID token.
        .target(
            name: "CheckPathFixtures",
            dependencies: [
                .product(name: "ForwardAuth", package: "forward-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Fixtures"
        ),
        // package-benchmark discovers executable targets whose directory sits in a folder named `Benchmarks`:
        // this package's own directory.
        .executableTarget(
            name: "ForwardAuthBenchmarks",
            dependencies: [
                "CheckPathFixtures",
                .product(name: "ForwardAuth", package: "forward-auth"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ForwardAuthBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Loops the whole decision N times, for callgrind; not a benchmark target (its folder is not `Benchmarks`).
        .executableTarget(
            name: "CheckLoop",
            dependencies: ["CheckPathFixtures", .product(name: "ForwardAuth", package: "forward-auth")],
            path: "Profile/CheckLoop"
        ),
    ]
)
