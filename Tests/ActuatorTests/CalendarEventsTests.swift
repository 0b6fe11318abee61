import Actuator
import Features
import Foundation
import PSMConfiguration
import Testing
import TimeSeries

/// The actuator's copy of the `[calendar] file` events: read at start (a bad file stops it with
/// the file's error), read again when the file changes, kept when an edit no longer parses.
@Suite struct CalendarEventsTests {
    static func event(_ name: String) -> String {
        """

        [[event]]
        name = "\(name)"
        kind = "promotion"
        start = "2026-01-05T09:00:00"
        end = "2026-01-05T12:00:00"
        """
    }

    @Test func anEditedFileIsReadAgainAndABrokenEditKeepsTheEventsReadBefore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.event("Sale").write(toFile: path, atomically: true, encoding: .utf8)
        let calendar = try CalendarEvents(path: path)
        #expect(calendar.current.map(\.name) == ["Sale"])
        #expect(calendar.reloadIfChanged() == nil)

        // A longer file (size differs even within the same second of modification time).
        try (Self.event("Sale") + Self.event("Launch")).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(calendar.reloadIfChanged() == nil)
        #expect(calendar.current.map(\.name) == ["Sale", "Launch"])

        try (Self.event("Sale") + "\n[[event]]\nname = \"Broken\"\n").write(toFile: path, atomically: true, encoding: .utf8)
        let problem = try #require(calendar.reloadIfChanged())
        #expect(problem.contains(path) && problem.contains("stay in use"), "\(problem)")
        #expect(calendar.current.map(\.name) == ["Sale", "Launch"])
    }

    @Test func aMissingOrInvalidFileIsAnErrorNamingIt() throws {
        #expect(throws: ConfigurationError.self) { try CalendarEvents(path: "/nonexistent/calendar.toml") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "[[event]]\nname = \"x\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try CalendarEvents(path: path)
            Issue.record("an event without kind, start and end was accepted")
        } catch {
            #expect("\(error)".contains("event[1]"), "\(error)")
        }
        #expect(try CalendarEvents(path: nil).current.isEmpty)
    }
}
