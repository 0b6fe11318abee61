// swift-tools-version:6.1
import PackageDescription

// psm's benchmarks and test aids, beside the product (docs/architecture.md, "Benchmarks package"):
// executables that measure psm or drive it from outside, none of which `psm` or `psm-actuator`
// links. They see psm's public API only, through the library products of the package above.
//
//   swift build --package-path Benchmarks --scratch-path .build --disable-build-manifest-caching --product psm-cycle-bench
//
// `--scratch-path .build` (from the repository root) shares the main package's build folder: the
// dependencies and psm's own targets compiled by `swift build` are not compiled again.
let package = Package(
    name: "psm-benchmarks",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "psm-cycle-bench", targets: ["psm-cycle-bench"]),
        .executable(name: "psm-realvm-bench", targets: ["psm-realvm-bench"]),
        .executable(name: "psm-store-bench", targets: ["psm-store-bench"]),
        .executable(name: "psm-fleet-bench", targets: ["psm-fleet-bench"]),
        .executable(name: "psm-api-testserver", targets: ["psm-api-testserver"]),
    ],
    dependencies: [
        .package(name: "psm", path: ".."),
        // The same requirements as ../Package.swift (one resolution, one build of each).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Issue 6's speed targets (docs/benchmarks.md, "Actuator decision cycle"): the decision cycle
        // for 10,000 groups, the decision log, activation overhead, collection, jitter, the whole
        // cycle. Release build, run by hand; fits its fixture models with the training pipeline.
        .executableTarget(name: "psm-cycle-bench", dependencies: [
            .product(name: "Actuator", package: "psm"),
            .product(name: "Scaling", package: "psm"),
            .product(name: "Pipeline", package: "psm"),
            .product(name: "ModelRegistry", package: "psm"),
            .product(name: "Forecasting", package: "psm"),
            .product(name: "Calibration", package: "psm"),
            .product(name: "TimeSeries", package: "psm"),
            .product(name: "MetricStore", package: "psm"),
            .product(name: "Hypervisor", package: "psm"),
            .product(name: "HypervisorTestSupport", package: "psm"),
            .product(name: "LibvirtHypervisor", package: "psm"),
            .product(name: "PostgresStore", package: "psm"),
        ]),
        // Real QEMU guests (docs/realvm.md): `activation` (cold start against paused and saved shadow
        // activation) and `closed-loop` (load on a guest behind HAProxy until a shadow serves).
        .executableTarget(name: "psm-realvm-bench", dependencies: [
            .product(name: "RealVMSupport", package: "psm"),
            .product(name: "RealVMTestSupport", package: "psm"),
            .product(name: "ModelRegistry", package: "psm"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The store calls of one decision cycle, SQLite against PostgreSQL.
        .executableTarget(name: "psm-store-bench", dependencies: [
            .product(name: "MetricStore", package: "psm"),
            .product(name: "PostgresStore", package: "psm"),
        ]),
        // The fleet check (bench/fleet.sh): psm-actuator processes sharing PostgreSQL and libvirtd
        // test-driver hosts, SIGKILLed at random; invariants from libvirt and the database.
        .executableTarget(name: "psm-fleet-bench", dependencies: [
            .product(name: "Actuator", package: "psm"),
            .product(name: "Hypervisor", package: "psm"),
            .product(name: "LibvirtHypervisor", package: "psm"),
            .product(name: "MetricStore", package: "psm"),
            .product(name: "PostgresStore", package: "psm"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The actuator API over the stand-in control, for bench/api-fuzz.sh and bench/api-load.sh.
        .executableTarget(name: "psm-api-testserver", dependencies: [
            .product(name: "ActuatorAPI", package: "psm"),
            .product(name: "APITestSupport", package: "psm"),
            .product(name: "Actuator", package: "psm"),
            .product(name: "MetricStore", package: "psm"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The opt-in benchmark tests (PSM_BENCH=1; docs/benchmarks.md says which figure each one
        // produced): `swift test --package-path Benchmarks --scratch-path .build
        // --disable-build-manifest-caching -c release -Xswiftc -enable-testing --filter NAME`.
        // Some use `@testable import`, hence `-enable-testing` in release builds.
        .testTarget(name: "BenchmarkTests", dependencies: [
            .product(name: "Actuator", package: "psm"),
            .product(name: "CLibvirt", package: "psm"),
            .product(name: "Features", package: "psm"),
            .product(name: "Forecasting", package: "psm"),
            .product(name: "Hypervisor", package: "psm"),
            .product(name: "LibvirtHypervisor", package: "psm"),
            .product(name: "LinearAlgebra", package: "psm"),
            .product(name: "MetricStore", package: "psm"),
            .product(name: "ModelRegistry", package: "psm"),
            .product(name: "Pipeline", package: "psm"),
            .product(name: "RealVMSupport", package: "psm"),
            .product(name: "RealVMTestSupport", package: "psm"),
            .product(name: "Scaling", package: "psm"),
            .product(name: "ScoringTestSupport", package: "psm"),
            .product(name: "TimeSeries", package: "psm"),
        ]),
    ]
)

// As the main package: existentials spelled `any`, members visible only where their module is imported.
for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
