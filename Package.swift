// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-etcd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swift-etcd", targets: ["swift-etcd"]),
        .executable(name: "raft-bench", targets: ["raft-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian, behind thin module maps.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),

        .target(name: "ProtoWire"),
        .target(name: "EtcdProto", dependencies: ["ProtoWire"]),
        .target(
            name: "GRPCTransport",
            dependencies: [
                "CNGHTTP2", "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Raft", dependencies: ["ProtoWire"]),
        .target(name: "Storage", dependencies: ["CLMDB"]),
        .target(name: "Backend"),
        .target(name: "MVCC", dependencies: ["Storage", "EtcdProto", "ProtoWire", "Backend"]),
        .target(
            name: "EtcdServer",
            dependencies: [
                "GRPCTransport", "EtcdProto", "MVCC", "Storage", "Raft", "COpenSSL", "CCrypt",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swift-etcd",
            dependencies: [
                "EtcdServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "raft-bench", dependencies: ["Raft"]),

        .testTarget(name: "ProtoWireTests", dependencies: ["ProtoWire"]),
        .testTarget(name: "EtcdProtoTests", dependencies: ["EtcdProto", "ProtoWire"], exclude: ["Reference"]),
        .testTarget(
            name: "GRPCTransportTests",
            dependencies: [
                "GRPCTransport", "CNGHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            // Run by path with python3 (the real-client tests), not compiled.
            exclude: ["interop_client.py"]
        ),
        // The linearizability checker both cluster simulations use (test support, not shipped).
        .target(name: "Linearizability", path: "Tests/Linearizability"),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "Linearizability"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "BackendTests", dependencies: ["Backend"]),
        .testTarget(name: "MVCCTests", dependencies: ["MVCC", "Storage", "EtcdProto"]),
        .testTarget(name: "EtcdServerTests", dependencies: ["EtcdServer", "EtcdProto", "GRPCTransport", "Linearizability"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (Fuzz/README.md): declared only when SWIFT_ETCD_FUZZ=1, which `make fuzz`
// sets for its own build directory with the sanitizers, so the server's build never compiles them.
if Context.environment["SWIFT_ETCD_FUZZ"] == "1" {
    let nio: [Target.Dependency] = [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
    ]
    let server: [Target.Dependency] = ["FuzzServerSupport", "GRPCTransport"] + nio
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-etcd-messages", ["EtcdProto", "ProtoWire"]),
        ("fuzz-raft-messages", ["Raft", "ProtoWire"]),
        ("fuzz-storage-files", ["Storage"]),
        ("fuzz-peer-entries", ["EtcdServer", "EtcdProto", "Raft", "GRPCTransport"] + nio),
        ("fuzz-http2", server),
        ("fuzz-grpc-framing", server),
        ("fuzz-http1-gateway", ["EtcdServer"] + server),
        ("fuzz-gateway-json", ["EtcdServer", "GRPCTransport"] + nio),
        ("fuzz-tls", ["COpenSSL"] + server),
    ]
    package.targets += [
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Support"),
        .target(name: "FuzzServerSupport", dependencies: ["GRPCTransport"] + nio, path: "Fuzz/ServerSupport"),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: ["FuzzSupport"] + target.dependencies, path: "Fuzz/Targets/\(target.name)"))
    }
}
