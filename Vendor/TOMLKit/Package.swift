// swift-tools-version:5.9
// TOMLKit 0.6.0 (https://github.com/LebJe/TOMLKit, MIT, revision bebd313), vendored by psm with
// one patch to the toml++ 3.4.0 header it bundles: see PSM-PATCH.md.
import PackageDescription

let package = Package(
    name: "TOMLKit",
    products: [
        .library(name: "TOMLKit", targets: ["TOMLKit"]),
    ],
    targets: [
        .target(
            name: "CTOML",
            cxxSettings: [
                .define("TOML_EXCEPTIONS", to: "1"),
            ]
        ),
        .target(name: "TOMLKit", dependencies: ["CTOML"]),
    ],
    cLanguageStandard: .c99,
    cxxLanguageStandard: .cxx17
)
