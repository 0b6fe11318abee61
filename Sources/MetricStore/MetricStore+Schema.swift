import GRDB

extension MetricStore {
    /// The versioned schema. Never edit a registered migration: append a new one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-series-samples-events") { db in
            try db.execute(sql: """
                CREATE TABLE series (
                    id     INTEGER PRIMARY KEY,
                    key    TEXT NOT NULL UNIQUE CHECK (length(key) > 0),
                    metric TEXT,
                    grp    TEXT,
                    axis   TEXT NOT NULL CHECK (axis IN ('time', 'index')),
                    step   INTEGER NOT NULL CHECK (step > 0)
                );
                -- The actuator and training look series up by group.
                CREATE INDEX series_grp ON series (grp);

                -- Clustered on (series, ts): a series' samples are contiguous and in time order,
                -- so range reads are one b-tree walk and in-order bulk inserts append.
                CREATE TABLE samples (
                    series INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
                    ts     INTEGER NOT NULL,
                    value  REAL NOT NULL,
                    PRIMARY KEY (series, ts)
                ) WITHOUT ROWID;

                CREATE TABLE events (
                    id           INTEGER PRIMARY KEY,
                    kind         TEXT NOT NULL CHECK (kind IN ('holiday', 'promotion', 'notice', 'calendar')),
                    name         TEXT NOT NULL,
                    start        INTEGER NOT NULL,
                    "end"        INTEGER NOT NULL CHECK ("end" > start),
                    recurrence   TEXT,             -- JSON of Event.Recurrence, NULL when one-off
                    scope        TEXT NOT NULL,    -- JSON of Event.Scope
                    multiplier   REAL,
                    level        REAL,
                    note         TEXT,
                    created_at   INTEGER NOT NULL,
                    -- End of the last possible occurrence; NULL when it recurs forever. Lets an
                    -- overlap query be answered from the index before occurrences are expanded.
                    active_until INTEGER
                );
                CREATE INDEX events_kind_start ON events (kind, start);
                CREATE INDEX events_start ON events (start);
                """)
        }
        migrator.registerMigration("v2-actuator-inventory") { db in
            try registerInventorySchema(db)
        }
        // The actuator's sizing decisions, as JSON, for `psm-actuator explain GROUP`.
        migrator.registerMigration("v3-actuator-decisions") { db in
            try db.execute(sql: """
                CREATE TABLE decisions (
                    id   INTEGER PRIMARY KEY,
                    grp  TEXT NOT NULL,
                    ts   INTEGER NOT NULL,
                    json TEXT NOT NULL
                );
                CREATE INDEX decisions_grp_ts ON decisions (grp, ts);
                CREATE INDEX decisions_ts ON decisions (ts);
                """)
        }
        // Shadow listings by state and by group in SQL (MetricStore.shadows): `gone` rows
        // accumulate, and a listing must not read them all.
        migrator.registerMigration("v4-shadows-state-group-indexes") { db in
            try db.execute(sql: """
                CREATE INDEX shadows_state ON shadows (state);
                CREATE INDEX shadows_grp_state ON shadows (grp, state);
                """)
        }
        // Named, versioned JSON documents of the actuator's online state (MetricStore+State): the
        // sizer's ACI and hysteresis per group and the cost loop's window, restored at start.
        migrator.registerMigration("v5-actuator-state") { db in
            try db.execute(sql: """
                CREATE TABLE actuator_state (
                    name    TEXT PRIMARY KEY CHECK (length(name) > 0),
                    version INTEGER NOT NULL,
                    ts      INTEGER NOT NULL,
                    json    TEXT NOT NULL
                );
                """)
        }
        // Traffic routing of activated shadows (MetricStore+Routes): one row per shadow psm routed
        // or tried to, with the activation it belongs to, its state (routed, failed — retried with
        // backoff —, draining, withdrawn), the last error and the drain deadline.
        migrator.registerMigration("v6-routing-state") { db in
            try db.execute(sql: """
                CREATE TABLE routes (
                    shadow_id      TEXT PRIMARY KEY,
                    activation_id  TEXT,
                    grp            TEXT NOT NULL,
                    server         TEXT NOT NULL,
                    state          TEXT NOT NULL CHECK (state IN ('routed', 'failed', 'draining', 'withdrawn')),
                    address        TEXT,
                    error          TEXT,
                    attempts       INTEGER NOT NULL DEFAULT 0,
                    updated_at     INTEGER NOT NULL,
                    next_attempt   INTEGER,
                    drain_deadline INTEGER
                );
                CREATE INDEX routes_state ON routes (state);
                CREATE INDEX routes_activation ON routes (activation_id);
                """)
        }
        // Predicted and applied vCPUs/memory of each activation (MetricStore+ActivationSize).
        migrator.registerMigration(activationSizeMigration) { db in
            try registerActivationSizeSchema(db)
        }
        // Group leases and their fencing tokens (MetricStore+Leases).
        migrator.registerMigration(leasesMigration) { db in
            try registerLeasesSchema(db)
        }
        // Hosts measured each cycle, their cap and reachability; shadows lost with a host (issue 15).
        migrator.registerMigration(hostStatusMigration) { db in
            try registerHostStatusSchema(db)
        }
        return migrator
    }()
}
