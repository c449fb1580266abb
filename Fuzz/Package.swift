// swift-tools-version:6.1
import Foundation
import PackageDescription

// libFuzzer targets for the domain module, kept out of the root package so that the sanitized build
// (`--sanitize=fuzzer --sanitize=address`) never touches the main build. See README.md and scripts/fuzz.

// A path dependency's identity is its directory's name, which differs between checkouts (a clone named
// forward-auth, a worktree, CI's checkout), so it is read off this file's path rather than written down.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

/// One executable per target; each `main.swift` defines `LLVMFuzzerTestOneInput`.
let fuzzTargets = [
    "FuzzSessionCookie", "FuzzForwardedRequest", "FuzzRuleParser", "FuzzCallback", "FuzzIniFile", "FuzzRequestHead",
    "FuzzIDToken",
]

let package = Package(
    name: "forward-auth-fuzz",
    platforms: [.macOS(.v15)],
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The fixed deployment, input splitting and invariant checks the targets share.
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "ForwardAuth", package: rootIdentity),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        )
    ]
        + fuzzTargets.map {
            .executableTarget(
                name: $0,
                dependencies: ["FuzzSupport", .product(name: "ForwardAuth", package: rootIdentity)],
                swiftSettings: swiftSettings
            )
        }
)
