import ModelRegistry

extension PSM {
    /// The psm version written into reports: the same string the registry writes into manifests.
    static let version = ModelManifest.defaultPSMVersion
}
