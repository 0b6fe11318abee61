import Foundation
import MetricStore
import PostgresStore

// Writes batches into an ActuatorStore until killed; ActuatorStoreTests SIGKILLs it mid-write.
// Usage: psm-store-stress STORE ROWS
// STORE is an SQLite path or a postgres:// URL. Batch i is ONE transaction: ROWS decisions of group
// "stress" with JSON {"batch":i} and the state document "stress" at version i; after each commit
// "committed i" goes to stdout. A reader after the kill must find every batch whole or absent,
// and the state's version equal to the last whole batch.
let arguments = CommandLine.arguments
guard arguments.count == 3, let rows = Int(arguments[2]), rows > 0 else {
    FileHandle.standardError.write(Data("usage: psm-store-stress STORE ROWS\n".utf8))
    exit(2)
}
do {
    let location = arguments[1]
    let store: any ActuatorStore = location.hasPrefix("postgres") ? try PostgresStore(url: location)
                                                                   : try MetricStore(path: location, durability: .process)
    let start = (try store.state(named: "stress")?.version ?? 0) + 1
    for batch in start... {
        let json = "{\"batch\":\(batch)}"
        let decisions = (0..<rows).map { _ in (group: "stress", time: Int64(batch), json: json) }
        try store.insert(decisions: decisions, states: [StoredState(name: "stress", version: batch, time: Int64(batch), json: json)])
        FileHandle.standardOutput.write(Data("committed \(batch)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("psm-store-stress: \(error)\n".utf8))
    exit(1)
}
