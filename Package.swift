// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "autograd-server",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .executable(name: "autograd-server", targets: ["AutogradServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
    ],
    targets: [
        // Hot loops (GEMM, with per-CPU clones) in C so one portable binary still uses AVX2/AVX-512.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        // HTTPS: OpenSSL (libssl-dev) behind a small shim for its macros and a socket BIO without SIGPIPE.
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "Autograd", dependencies: ["CKernels"]),
        .target(
            name: "HTTPServer",
            dependencies: [
                "CEpoll",
                "COpenSSL",
                "CZlib",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "TensorJSON"),
        .target(name: "AutogradEval", dependencies: ["Autograd"]),
        .target(
            name: "AutogradService",
            dependencies: [
                "Autograd", "AutogradEval", "HTTPServer", "TensorJSON",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "AutogradServer",
            dependencies: [
                "AutogradService", "COpenSSL", "HTTPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "AutogradBench", dependencies: ["Autograd", "TensorJSON"]),
        .executableTarget(name: "TensorJSONBench", dependencies: ["TensorJSON"]),
        // A trivial server for scripts/bench-http.sh.
        .executableTarget(
            name: "HTTPHelloServer",
            dependencies: [
                "HTTPServer",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "CKernels"]),
        .testTarget(name: "TensorJSONTests", dependencies: ["TensorJSON"]),
        .testTarget(
            name: "HTTPServerTests", dependencies: ["HTTPServer", "COpenSSL"], exclude: ["Conformance"]),
        .testTarget(name: "AutogradEvalTests", dependencies: ["AutogradEval", "Autograd"]),
        .testTarget(name: "AutogradServiceTests", dependencies: ["AutogradService", "HTTPServer", "Autograd"]),
    ],
    swiftLanguageModes: [.v6]
)
