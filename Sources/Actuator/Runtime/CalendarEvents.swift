import Features
import Foundation
import PSMConfiguration
import TimeSeries

/// The events of the `[calendar] file` that models with event features read at scoring time
/// (promotions and other windows; time zone and holidays travel in each model's schema).
///
/// Checked once per cycle: a file whose modification time or size changed is read again; one
/// that no longer parses keeps the events last read and says so, so a typo never drops every
/// promotion from the forecasts. Lock-protected: the model catalog reads it while priming.
package final class CalendarEvents: @unchecked Sendable {
    package let path: String?
    private let lock = NSLock()
    private var events: [Event] = []
    private var stamp: (modified: Date, size: Int)?

    /// Reads `path` (nil: no calendar, no events); throws when the file cannot be read or parsed.
    package init(path: String?) throws {
        self.path = path
        guard let path else { return }
        let s: (modified: Date, size: Int)
        do { s = try Self.stamp(path) } catch {
            throw ConfigurationError(.unreadable, file: path, location: "", "cannot read the calendar file: \(error.localizedDescription)")
        }
        events = try CalendarFile.load(path: path).events
        stamp = s
    }

    /// The events last read.
    package var current: [Event] { lock.withLock { events } }

    /// Re-reads the file when it changed; returns a problem to report when it could not.
    @discardableResult
    package func reloadIfChanged() -> String? {
        guard let path else { return nil }
        let s: (modified: Date, size: Int)
        do { s = try Self.stamp(path) } catch { return "calendar \(path): \(error); the events read before stay in use" }
        if let old = lock.withLock({ stamp }), old.modified == s.modified, old.size == s.size { return nil }
        do {
            let fresh = try CalendarFile.load(path: path).events
            lock.withLock {
                events = fresh
                stamp = s
            }
            return nil
        } catch {
            return "calendar \(path): \(error); the events read before stay in use"
        }
    }

    private static func stamp(_ path: String) throws -> (modified: Date, size: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.modificationDate] as? Date ?? .distantPast, (attributes[.size] as? NSNumber)?.intValue ?? 0)
    }
}
