extension PSM {
    /// The psm version written into reports (kept equal to ModelManifest.defaultPSMVersion).
    static let version = "0.1.0-dev"
}
