import GRDB

extension MetricStore {
    /// The actuator's persistent inventory (migration `v2-actuator-inventory`): hosts, shadows,
    /// reservations and activations. docs/actuator.md lists the invariants the constraints pin.
    static func registerInventorySchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE hosts (
                name            TEXT PRIMARY KEY CHECK (length(name) > 0),
                uri             TEXT NOT NULL,
                vcpus           INTEGER NOT NULL CHECK (vcpus >= 0),
                memory_mib      INTEGER NOT NULL CHECK (memory_mib >= 0),
                capacity_units  INTEGER NOT NULL CHECK (capacity_units >= 0),
                -- What regular (non-shadow) VMs use now, reported by the metrics feed.
                load_vcpus      INTEGER NOT NULL DEFAULT 0 CHECK (load_vcpus >= 0),
                load_memory_mib INTEGER NOT NULL DEFAULT 0 CHECK (load_memory_mib >= 0),
                load_units      INTEGER NOT NULL DEFAULT 0 CHECK (load_units >= 0),
                labels          TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
                enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                updated_at      INTEGER NOT NULL
            );

            CREATE TABLE shadows (
                id                  TEXT PRIMARY KEY CHECK (length(id) > 0),
                grp                 TEXT NOT NULL,
                host                TEXT NOT NULL REFERENCES hosts (name),
                domain_name         TEXT NOT NULL UNIQUE CHECK (length(domain_name) > 0),
                state               TEXT NOT NULL CHECK (state IN ('planned', 'defining', 'ready', 'activating',
                                                                   'active', 'decommissioning', 'gone')),
                baseline_vcpus      INTEGER NOT NULL CHECK (baseline_vcpus >= 0),
                baseline_memory_mib INTEGER NOT NULL CHECK (baseline_memory_mib >= 0),
                full_vcpus          INTEGER NOT NULL CHECK (full_vcpus >= 0),
                full_memory_mib     INTEGER NOT NULL CHECK (full_memory_mib >= 0),
                reserved_units      INTEGER NOT NULL CHECK (reserved_units >= 0),
                created_at          INTEGER NOT NULL,
                updated_at          INTEGER NOT NULL,
                activation_id       TEXT
            );
            CREATE INDEX shadows_host_state ON shadows (host, state);
            CREATE INDEX shadows_grp ON shadows (grp);

            -- At most one per shadow; summed per host by every capacity check.
            CREATE TABLE reservations (
                host       TEXT NOT NULL REFERENCES hosts (name),
                shadow_id  TEXT NOT NULL UNIQUE REFERENCES shadows (id) ON DELETE CASCADE,
                vcpus      INTEGER NOT NULL CHECK (vcpus >= 0),
                memory_mib INTEGER NOT NULL CHECK (memory_mib >= 0),
                units      INTEGER NOT NULL CHECK (units >= 0),
                created_at INTEGER NOT NULL
            );
            CREATE INDEX reservations_host ON reservations (host);

            CREATE TABLE activations (
                id             TEXT PRIMARY KEY CHECK (length(id) > 0),   -- the caller's idempotency key
                shadow_id      TEXT NOT NULL REFERENCES shadows (id),
                grp            TEXT NOT NULL,
                requested_at   INTEGER NOT NULL,
                completed_at   INTEGER,
                outcome        TEXT CHECK (outcome IN ('succeeded', 'rolledBack', 'failed')),
                step_latencies TEXT NOT NULL DEFAULT '{}'                  -- JSON object: step → seconds
            );
            -- No shadow activated twice: at most one activation per shadow is open or succeeded
            -- (a rolled-back or failed one leaves the shadow ready for a new attempt).
            CREATE UNIQUE INDEX activations_once_per_shadow ON activations (shadow_id)
                WHERE outcome IS NULL OR outcome = 'succeeded';
            """)
    }
}
