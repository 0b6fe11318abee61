/// psm's tag on a domain it manages, stored with the domain (libvirt: a `<metadata>` element in
/// psm's namespace) so that shadows are recognised after the actuator restarts.
public struct ShadowMetadata: Sendable, Hashable, Codable {
    /// The XML namespace of psm's metadata element (version 1 of its layout).
    package static let namespace = "https://psm.example/shadow/1"

    /// What the domain is to psm. Open-ended so that a newer actuator's roles survive a round trip
    /// through an older one.
    package struct Role: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        /// Parked (paused or saved), capacity reserved, waiting for activation.
        public static let shadow = Role(rawValue: "shadow")
        /// Activated: serving traffic as a regular member of its group.
        public static let active = Role(rawValue: "active")
        public var description: String { rawValue }
    }

    /// The VM group the shadow belongs to.
    public var group: String
    /// psm's id of the shadow (stable across renames and redefinitions).
    public var shadowID: String
    package var role: Role
    /// The host whose capacity is reserved for the shadow's full size, if recorded.
    package var reservationHost: String?
    /// The size it was defined to run at while parked.
    public var baseline: ResourceSize
    /// The predicted full size it is activated to (the domain's maximum).
    public var full: ResourceSize
    /// When psm defined it, Unix seconds (UTC).
    public var createdAt: Int64

    package init(group: String, shadowID: String, role: Role = .shadow, reservationHost: String? = nil,
                baseline: ResourceSize, full: ResourceSize, createdAt: Int64) {
        self.group = group
        self.shadowID = shadowID
        self.role = role
        self.reservationHost = reservationHost
        self.baseline = baseline
        self.full = full
        self.createdAt = createdAt
    }
}
