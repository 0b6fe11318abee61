import GRDB

/// The size of each activation (docs/actuator.md, "Activation"): what the caller predicted one VM
/// needs and what the scale step applied, kept beside the activation's record.
extension MetricStore {
    /// The migration's name; it follows the latest one when registered (a rebase over another
    /// migration renumbers it: nothing else refers to the number).
    static let activationSizeMigration = "v7-activation-size"

    /// Four nullable columns on `activations` (a record from before the migration has no size) and
    /// an index for a group's latest activations (`psm-actuator explain`).
    static func registerActivationSizeSchema(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE activations ADD COLUMN predicted_vcpus INTEGER CHECK (predicted_vcpus >= 0);
            ALTER TABLE activations ADD COLUMN predicted_memory_mib INTEGER CHECK (predicted_memory_mib >= 0);
            ALTER TABLE activations ADD COLUMN applied_vcpus INTEGER CHECK (applied_vcpus >= 0);
            ALTER TABLE activations ADD COLUMN applied_memory_mib INTEGER CHECK (applied_memory_mib >= 0);
            CREATE INDEX activations_grp_requested ON activations (grp, requested_at);
            """)
    }

    /// Records what activation `id` asked for (`predicted`, nil: the full size) and what its scale
    /// step set (`applied`). Returns false when the activation is unknown.
    @discardableResult
    public func recordActivationSize(id: String, predicted: ActivationSize?,
                                     applied: ActivationSize) throws(MetricStoreError) -> Bool {
        try write("cannot record the size of activation \(id)") { db in
            try db.execute(sql: """
                UPDATE activations SET predicted_vcpus = ?, predicted_memory_mib = ?, applied_vcpus = ?, applied_memory_mib = ?
                WHERE id = ?
                """, arguments: [predicted?.vcpus, predicted?.memoryMiB, applied.vcpus, applied.memoryMiB, id])
            return db.changesCount > 0
        }
    }

    /// A group's latest activations, newest first.
    public func activations(group: String, limit: Int) throws(MetricStoreError) -> [ActivationRecord] {
        try read("cannot read the activations of group \(group)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM activations WHERE grp = ? ORDER BY requested_at DESC, id DESC LIMIT ?",
                             arguments: [group, max(limit, 0)]).map(Self.decodeActivation)
        }
    }

    /// vCPUs applied to each shadow that is activating or active now, by shadow id (shadows whose
    /// activation recorded no size — activated before the size was recorded — are absent: full size).
    public func appliedVCPUsOfActiveShadows() throws(MetricStoreError) -> [String: Int64] {
        try read("cannot read the sizes of the active shadows") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.shadow_id AS shadow, a.applied_vcpus AS vcpus FROM activations a
                JOIN shadows s ON s.id = a.shadow_id AND s.activation_id = a.id
                WHERE s.state IN ('activating', 'active') AND a.applied_vcpus IS NOT NULL
                """)
            var sizes: [String: Int64] = [:]
            for row in rows { sizes[row["shadow"]] = row["vcpus"] }
            return sizes
        }
    }

    static func size(_ row: Row, _ vcpus: String, _ memory: String) -> ActivationSize? {
        guard let v: Int64 = row[vcpus], let m: Int64 = row[memory] else { return nil }
        return ActivationSize(vcpus: v, memoryMiB: m)
    }
}
