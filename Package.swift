// swift-tools-version:6.1
import PackageDescription

// Dependency direction (checked by scripts/check-dependencies.py):
//   system libraries → LinearAlgebra → TimeSeries → Features / MetricStore
//   Ingest (file readers) and PSMCommands (the batch CLI) sit on top and are never
//   imported by actuator-side targets.
let package = Package(
    name: "psm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "psm", targets: ["psm"]),
        .executable(name: "psm-actuator", targets: ["psm-actuator"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "TimeSeries", targets: ["TimeSeries"]),
        .library(name: "MetricStore", targets: ["MetricStore"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Features", targets: ["Features"]),
        .library(name: "PSMConfiguration", targets: ["PSMConfiguration"]),
        .library(name: "Forecasting", targets: ["Forecasting"]),
        .library(name: "Calibration", targets: ["Calibration"]),
        .library(name: "ModelRegistry", targets: ["ModelRegistry"]),
        .library(name: "Hypervisor", targets: ["Hypervisor"]),
        .library(name: "Scaling", targets: ["Scaling"]),
        .library(name: "LibvirtHypervisor", targets: ["LibvirtHypervisor"]),
        .library(name: "RealVMSupport", targets: ["RealVMSupport"]),
        // For the Benchmarks package (Benchmarks/Package.swift), which sees psm through these.
        .library(name: "Actuator", targets: ["Actuator"]),
        .library(name: "ActuatorAPI", targets: ["ActuatorAPI"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
        // libvirt's C API itself: the raw-C side of the Benchmarks package's libvirt call benchmark.
        .library(name: "CLibvirt", targets: ["CLibvirt"]),
        // Test support (Tests/Support), for the tests here and the Benchmarks package; psm and
        // psm-actuator never link it (scripts/check-dependencies.py).
        .library(name: "HypervisorTestSupport", targets: ["HypervisorTestSupport"]),
        .library(name: "RealVMTestSupport", targets: ["RealVMTestSupport"]),
        .library(name: "APITestSupport", targets: ["APITestSupport"]),
        .library(name: "ScoringTestSupport", targets: ["ScoringTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // TOMLKit 0.6.0 with a patch to its toml++ (Vendor/TOMLKit/PSM-PATCH.md): malformed TOML must
        // be a syntax error, not an abort.
        .package(path: "Vendor/TOMLKit"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // Actuator API, metrics and routing (docs/api.md). Hummingbird's default traits pull in
        // swift-configuration, which nothing here uses.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // NIOHTTPTypes (already Hummingbird's): the API's connection guard sees decoded request parts.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The actuator's shared state in PostgreSQL (PostgresStore; docs/architecture.md).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // System libraries: module map + shim header only, flags from pkg-config.
        .systemLibrary(name: "CCBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CLibvirt", pkgConfig: "libvirt", providers: [.apt(["libvirt-dev"])]),

        .target(name: "LinearAlgebra", dependencies: ["CCBLAS", "CLAPACKE"]),
        .target(name: "TimeSeries"),
        // The one psm.toml reader (`PSMFile`, `TOMLSection`) and its error type, used by both programs.
        .target(name: "PSMConfiguration", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        // The one HTML/SVG/XML kit: escaping, SVG elements, scales and axes, the fan chart, numbers.
        .target(name: "Markup", dependencies: ["TimeSeries"]),
        .target(name: "Features", dependencies: [
            "TimeSeries", "PSMConfiguration",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "Forecasting", dependencies: ["TimeSeries", "LinearAlgebra", "Features"]),
        .target(name: "Calibration", dependencies: ["TimeSeries"]),
        .target(name: "Evaluation", dependencies: ["TimeSeries", "Features", "Forecasting", "Calibration", "Markup"]),
        // The training job (batch only; the actuator never imports it).
        .target(name: "Pipeline", dependencies: [
            "TimeSeries", "Features", "Ingest", "Forecasting", "Evaluation", "Calibration", "LinearAlgebra", "ModelRegistry",
            "MetricStore", "PSMConfiguration", "Simulation",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "MetricStore", dependencies: [
            "TimeSeries", "Features",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // The actuator's store in PostgreSQL (ActuatorStore's second implementation): only
        // psm-actuator and the store tests link PostgresNIO.
        .target(name: "PostgresStore", dependencies: [
            "MetricStore", "TimeSeries", "Features",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The checks every ActuatorStore implementation passes (run by ActuatorStoreTests).
        .target(name: "ActuatorStoreConformance", dependencies: ["MetricStore", "TimeSeries"],
                path: "Tests/Support/ActuatorStoreConformance"),
        // Actuator side: the scorer loads models through it, so it never reaches batch-only targets.
        .target(name: "ModelRegistry", dependencies: [
            "TimeSeries", "Features", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The scaling decisions as values and pure functions (docs/architecture.md): the cost model,
        // the sizing steps and `Sizer`, the activation trigger and its ahead level, the park choice,
        // the running-capacity rule, `WallClock`. No I/O dependency (scripts/check-dependencies.py):
        // the actuator, the simulator and the benchmarks share it.
        .target(name: "Scaling", dependencies: ["TimeSeries", "Calibration"]),
        .target(name: "Actuator", dependencies: [
            "Scaling", "TimeSeries", "Features", "Forecasting", "Calibration", "ModelRegistry", "MetricStore", "Hypervisor",
            "PSMConfiguration",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The actuator's HTTP API (docs/api.md): routes, validation, auth, limits, /metrics.
        .target(name: "ActuatorAPI", dependencies: [
            "Actuator", "MetricStore", "Features", "PSMConfiguration",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        // Stands in for the actuator runtime behind the API in tests and the fuzz/load scripts.
        .target(name: "APITestSupport", dependencies: [
            "Actuator", "MetricStore", "TimeSeries", .product(name: "Yams", package: "Yams"),
        ], path: "Tests/Support/APITestSupport"),
        .target(name: "Ingest", dependencies: ["TimeSeries", "Features", "MetricStore"]),
        // Trace replay of scaling policies (docs/simulation.md): drives the actuator's own Sizer and
        // ActivationTrigger (Scaling, never Actuator); takes series, not files (Pipeline's SimulationInputs reads the
        // trace through Ingest).
        .target(name: "Simulation", dependencies: [
            "TimeSeries", "Forecasting", "Calibration", "Scaling", "LinearAlgebra", "Markup",
        ]),
        // `psm demo`: the bundled data trained by the Pipeline and replayed through the actuator.
        .target(name: "Demo", dependencies: [
            "TimeSeries", "Pipeline", "Actuator", "ActuatorCommands", "MetricStore", "RealVMSupport", "Hypervisor",
            "LibvirtHypervisor",
        ]),
        .target(name: "PSMCommands", dependencies: [
            "TimeSeries", "Ingest", "MetricStore", "Features", "LinearAlgebra", "Forecasting", "Evaluation",
            "ModelRegistry", "Pipeline", "Actuator", "ActuatorCommands", "Simulation", "RealVMSupport", "Hypervisor",
            "LibvirtHypervisor", "Demo", "PSMConfiguration",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "psm", dependencies: ["PSMCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The actuator's command line (psm-actuator; `psm demo` drives it too).
        .target(name: "ActuatorCommands", dependencies: [
            "Actuator", "ActuatorAPI", "Scaling", "Hypervisor", "LibvirtHypervisor", "MetricStore", "PostgresStore", "Features",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "psm-actuator", dependencies: ["ActuatorCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Writes store transactions in a loop until killed; ActuatorStoreTests SIGKILLs it mid-write.
        .executableTarget(name: "psm-store-stress", dependencies: ["MetricStore", "PostgresStore"],
                          path: "Tests/StoreStress"),
        // Publishes model versions in a loop until killed; ModelRegistryTests SIGKILLs it mid-publish.
        .executableTarget(name: "psm-registry-stress", dependencies: ["ModelRegistry"],
                          path: "Tests/RegistryStress"),

        // Actuator side: the hypervisor protocol and its libvirt implementation (the only
        // importer of CLibvirt); the conformance suite every implementation must pass.
        .target(name: "Hypervisor"),
        .target(name: "LibvirtHypervisor", dependencies: ["Hypervisor", "TimeSeries", "CLibvirt", "Markup"]),
        // Test support: the conformance suite and the one intercepting hypervisor (timing, fault
        // injection, kill points).
        .target(name: "HypervisorTestSupport", dependencies: ["Hypervisor"], path: "Tests/Support/HypervisorTestSupport"),
        // Synthetic demand with known calendar and notice effects, for scoring with features.
        .target(name: "ScoringTestSupport", dependencies: ["Features", "Forecasting", "ModelRegistry", "Pipeline", "TimeSeries"],
                path: "Tests/Support/ScoringTestSupport"),
        // Real QEMU guests (docs/realvm.md): the tiny guest's images and serial log, the preflight
        // of `psm demo --real`.
        .target(name: "RealVMSupport", dependencies: ["Hypervisor", "LibvirtHypervisor"]),
        // Test support on real guests: the shadow sequence, the activation and closed-loop
        // measurements, HAProxy and the load generator; for RealVMTests and psm-realvm-bench.
        .target(name: "RealVMTestSupport", dependencies: [
            "RealVMSupport", "HypervisorTestSupport", "Hypervisor", "LibvirtHypervisor", "Actuator", "Scaling", "MetricStore",
        ], path: "Tests/Support/RealVMTestSupport"),
        // The actuator runtime in a process of its own that RealVMTests SIGKILLs mid-activation.
        .executableTarget(name: "psm-realvm-actuator", dependencies: [
            "Actuator", "Scaling", "RealVMSupport", "HypervisorTestSupport", "Hypervisor", "LibvirtHypervisor", "MetricStore",
        ], path: "Tests/RealVMActuator"),
        // The fuzz driver (docs/fuzzing.md): the TOML loaders, CSV readers and API body decoders on
        // mutated inputs. Test support: no product, and psm / psm-actuator never link it.
        .executableTarget(name: "psm-fuzz", dependencies: [
            "Pipeline", "Ingest", "Features", "Actuator", "ActuatorAPI", "ActuatorCommands",
        ], path: "Tests/Fuzz/Driver"),

        .testTarget(name: "SystemLibraryTests", dependencies: [
            "CLibvirt", "Hypervisor", "LibvirtHypervisor", "RealVMSupport", "RealVMTestSupport",
        ]),
        .testTarget(name: "LinearAlgebraTests", dependencies: [
            "LinearAlgebra", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "TimeSeriesTests", dependencies: [
            "TimeSeries", .product(name: "Numerics", package: "swift-numerics"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "MetricStoreTests", dependencies: [
            "MetricStore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The ActuatorStore conformance suite against SQLite and (PSM_TEST_POSTGRES) PostgreSQL.
        .testTarget(name: "ActuatorStoreTests", dependencies: [
            "ActuatorStoreConformance", "MetricStore", "PostgresStore", "TimeSeries", "psm-store-stress",
        ]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "MetricStore"], resources: [.copy("Fixtures")]),
        // Scoring tests publish models with the training pipeline's own code (tests may reach batch
        // targets); the several-actuator tests share the test PostgreSQL (PSM_TEST_POSTGRES).
        .testTarget(name: "ActuatorTests", dependencies: [
            "Actuator", "Scaling", "Hypervisor", "HypervisorTestSupport", "LibvirtHypervisor", "Pipeline", "ModelRegistry", "Forecasting",
            "TimeSeries", "PostgresStore", "PSMConfiguration", "Simulation", "ScoringTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "ActuatorAPITests", dependencies: [
            "ActuatorAPI", "APITestSupport", "Actuator", "MetricStore", "PSMConfiguration",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // HAProxy (a real haproxy the tests start) and webhook routers.
        .testTarget(name: "TrafficRouterTests", dependencies: [
            "Actuator", "Scaling", "Hypervisor", "LibvirtHypervisor", "MetricStore", "ModelRegistry", "RealVMTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // [[actuator.scrape]] against real HTTP servers on 127.0.0.1, and the exposition parser on
        // swift-prometheus's own output.
        .testTarget(name: "ScrapeTests", dependencies: [
            "Actuator", "MetricStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Calibration", "Forecasting", "Markup"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Evaluation", "Calibration", "Forecasting", "Ingest", "ModelRegistry",
                                                     "PSMConfiguration"]),
        .testTarget(name: "ForecastingTests", dependencies: [
            "Forecasting", .product(name: "Numerics", package: "swift-numerics"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "CalibrationTests", dependencies: [
            "Calibration", "Forecasting", .product(name: "Numerics", package: "swift-numerics"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "PSMCommandsTests", dependencies: ["PSMCommands", "ModelRegistry", "RealVMSupport"]),
        .testTarget(name: "SimulationTests", dependencies: [
            "Simulation", "Scaling", "Forecasting", "Calibration", "TimeSeries",
        ]),
        .testTarget(name: "ModelRegistryTests", dependencies: ["ModelRegistry", "Features", "psm-registry-stress"]),
        // Opt-in (PSM_REAL_VMS=1, after scripts/realvm.sh up + guest): real guests on qemu:///system.
        .testTarget(name: "RealVMTests", dependencies: [
            "RealVMSupport", "RealVMTestSupport", "Hypervisor", "LibvirtHypervisor", "HypervisorTestSupport", "Actuator", "Scaling", "MetricStore",
            "psm-realvm-actuator", "psm-actuator",
        ]),
        // The shipped psm-actuator run as a child process (bind failures, unreachable hosts, signals).
        // … and psm itself: sharded training processes sharing one registry, and the deploy/ files'
        // command lines (Yams reads the Kubernetes manifest).
        .testTarget(name: "ActuatorProcessTests", dependencies: [
            "psm-actuator", "APITestSupport", "psm", "Actuator", "MetricStore", "ModelRegistry", "TimeSeries", "PSMConfiguration",
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "LibvirtHypervisorTests", dependencies: [
            "LibvirtHypervisor", "Hypervisor", "HypervisorTestSupport", "Markup",
        ], resources: [.copy("Fixtures")]),
    ]
)

// As Hummingbird: existentials spelled `any`, and a member is visible only in a file that imports
// its module (not through another file's import).
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + upcomingFeatures
}
