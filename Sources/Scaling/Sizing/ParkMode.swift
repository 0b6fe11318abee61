/// How a group's shadows are parked once booted.
public enum ParkMode: String, Sendable, Hashable, Codable {
    /// Paused in memory: activation in milliseconds, host memory held at the baseline.
    case pause
    /// Managed-saved to disk: no host memory held, activation in about a second (a restore).
    case save
}
