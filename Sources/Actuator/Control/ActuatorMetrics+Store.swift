import Metrics

/// Whether the store answers (docs/actuator.md, "The store goes away").
extension ActuatorMetrics {
    /// Gauge: 1 when the last cycle's store check answered, 0 when the cycle was skipped without it.
    package static let storeAvailable = "psm_store_available"
    /// Counter: decision cycles skipped because the store did not answer.
    package static let cyclesSkipped = "psm_cycles_skipped_total"

    /// Records the cycle's store check.
    package func recordStore(available: Bool) {
        Gauge(label: Self.storeAvailable, factory: factory).record(available ? 1 : 0)
        if !available { Counter(label: Self.cyclesSkipped, factory: factory).increment() }
    }
}
