import GRDB

extension MetricStore {
    /// The latest `limit` succeeded activations (newest first), with their step latencies: what
    /// `park = "auto"` measures restore and resume times from when the actuator starts.
    public func recentSucceededActivations(limit: Int) throws(MetricStoreError) -> [ActivationRecord] {
        try read("cannot read the recent activations") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM activations WHERE outcome = 'succeeded' ORDER BY requested_at DESC, id DESC LIMIT ?
                """, arguments: [max(limit, 0)]).map(Self.decodeActivation)
        }
    }
}
