import Actuator
import MetricStore
import PostgresStore

extension ActuatorConfiguration {
    /// The configured store: PostgreSQL for a `postgres://` URL (PostgresStore), else the SQLite file.
    func openStore() throws -> any ActuatorStore {
        Self.isPostgresURL(store) ? try PostgresStore(url: store) : try openSQLiteStore()
    }
}
