import Actuator
import Features

/// Limits on text fields (characters); the body-size limit bounds everything else.
enum FieldLimits {
    static let group = 200
    static let note = 2000
    static let metric = 128
    static let idempotencyKey = 200
}

extension NoticeRequest: BodyReadable {
    static let fields = ["group", "start", "end", "multiplier", "level", "note"]

    /// Reads and checks a notice: types (400), then ranges and the multiplier/level choice (422).
    init(reading decoder: any Decoder) throws(APIError) {
        let reader = try FieldReader(decoder, path: "", expecting: "a notice")
        try reader.rejectUnknown(allowed: Self.fields)
        let group = try reader.string("group", maxLength: FieldLimits.group)
        let start = try reader.int64("start", "Unix seconds")
        let end = try reader.int64("end", "Unix seconds")
        let multiplier = try reader.optionalDouble("multiplier")
        let level = try reader.optionalDouble("level")
        let note = try reader.optionalString("note", maxLength: FieldLimits.note)
        self.init(group: group, start: start, end: end, multiplier: multiplier, level: level, note: note)
        try validate()
    }

    func validate() throws(APIError) {
        guard !group.isEmpty else { throw .invalid("field 'group' must not be empty") }
        guard start < end else { throw .invalid("field 'start' (\(start)) must be before field 'end' (\(end))") }
        // Beyond the feature positions a notice would be stored but never reach a model.
        for (name, value) in [("start", start), ("end", end)] where !TimeLimits.positions.contains(value) {
            throw .invalid("field '\(name)' must lie within \(TimeLimits.description) Unix seconds, not \(value)")
        }
        switch (multiplier, level) {
        case (nil, nil):
            throw .invalid("give exactly one of 'multiplier' (relative to the forecast) or 'level' (capacity units); neither was given")
        case (.some, .some):
            throw .invalid("give exactly one of 'multiplier' or 'level', not both")
        case (let m?, nil):
            guard m > 0 else { throw .invalid("field 'multiplier' must be greater than 0, not \(m)") }
        case (nil, let l?):
            guard l >= 0 else { throw .invalid("field 'level' must be 0 or more capacity units, not \(l)") }
        }
    }
}

extension MetricSample {
    static let fields = ["group", "metric", "value", "time"]

    /// Reads one sample at `path` (e.g. `[3]` inside an array).
    init(_ reader: FieldReader) throws(APIError) {
        try reader.rejectUnknown(allowed: Self.fields)
        let group = try reader.string("group", maxLength: FieldLimits.group)
        let metric = try reader.string("metric", maxLength: FieldLimits.metric)
        let value = try reader.double("value")
        let time = try reader.optionalInt64("time", "Unix seconds")
        self.init(group: group, metric: metric, value: value, time: time)
        guard !group.isEmpty else { throw .invalid("field '\(reader.name("group"))' must not be empty") }
        guard !metric.isEmpty, metric.unicodeScalars.allSatisfy(Self.isMetricNameScalar) else {
            throw .invalid("field '\(reader.name("metric"))' must be 1–\(FieldLimits.metric) characters of A–Z, a–z, 0–9, '_', '.', ':', '-'")
        }
        guard value >= 0 else { throw .invalid("field '\(reader.name("value"))' must be 0 or more, not \(value)") }
        if let time, time < 0 || time >= TimeLimits.positions.upperBound {
            throw .invalid("field '\(reader.name("time"))' must be 0 or more and below \(TimeLimits.positions.upperBound) (Unix seconds)")
        }
    }

    static func isMetricNameScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", ":", "-": return true
        default: return false
        }
    }
}

/// The body of `POST /v1/groups/{group}/activate`: `{}` or `{"capacity": {"units": 12}}` or
/// `{"capacity": {"vcpus": 2, "memoryMiB": 2048}}`.
struct ActivateRequest: BodyReadable {
    static let fields = ["capacity"]
    static let capacityFields = ["units", "vcpus", "memoryMiB"]
    /// Bounds: what a group's template may hold (docs/configuration.md).
    static let maximumUnits = 1e9
    static let vcpus: ClosedRange<Int64> = 1...1_024
    static let memoryMiB: ClosedRange<Int64> = 16...16_777_216
    var capacity: ActivationCapacity?

    init(reading decoder: any Decoder) throws(APIError) {
        let reader = try FieldReader(decoder, path: "", expecting: "an activation request")
        try reader.rejectUnknown(allowed: Self.fields)
        guard let inner = try reader.optionalObject("capacity", expecting: "a capacity object (units, or vcpus and/or memoryMiB)") else {
            capacity = nil
            return
        }
        try inner.rejectUnknown(allowed: Self.capacityFields)
        let units = try inner.optionalDouble("units")
        let vcpus = try inner.optionalInt64("vcpus", "whole vCPUs")
        let memory = try inner.optionalInt64("memoryMiB", "MiB")
        switch (units, vcpus, memory) {
        case (nil, nil, nil):
            throw .invalid("field 'capacity' must give 'units', or 'vcpus' and/or 'memoryMiB'")
        case (.some, .some, _):
            throw .invalid("give 'capacity.units' or 'capacity.vcpus', not both")
        default: break
        }
        if let units, !(units > 0 && units <= Self.maximumUnits) {
            throw .invalid("field 'capacity.units' must be greater than 0 and at most 1e9, not \(units)")
        }
        if let vcpus, !Self.vcpus.contains(vcpus) {
            throw .invalid("field 'capacity.vcpus' must lie within 1…1024, not \(vcpus)")
        }
        if let memory, !Self.memoryMiB.contains(memory) {
            throw .invalid("field 'capacity.memoryMiB' must lie within 16…16777216 MiB, not \(memory)")
        }
        capacity = ActivationCapacity(units: units, vcpus: vcpus, memoryMiB: memory)
    }
}

/// Times the models can use: the feature positions (`FeatureSchema.positionLimit`, ±10¹² s).
enum TimeLimits {
    static let positions = FeatureSchema.positionLimit
    static let description = "±\(FeatureSchema.positionLimit.upperBound)"
}

/// The body of `POST /v1/metrics`: one sample object or an array of them.
struct MetricSamples: BodyReadable {
    var samples: [MetricSample]

    init(reading decoder: any Decoder) throws(APIError) {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            samples = [try MetricSample(FieldReader(object, path: ""))]
            return
        }
        var array: any UnkeyedDecodingContainer
        do {
            array = try decoder.unkeyedContainer()
        } catch {
            throw .badRequest("the body must be a sample object or an array of sample objects")
        }
        samples = []
        if let count = array.count { samples.reserveCapacity(count) }
        while !array.isAtEnd {
            let index = array.currentIndex
            let element: KeyedDecodingContainer<AnyKey>
            do {
                element = try array.nestedContainer(keyedBy: AnyKey.self)
            } catch {
                throw .badRequest("[\(index)] must be a sample object with group, metric and value")
            }
            samples.append(try MetricSample(FieldReader(element, path: "[\(index)]")))
        }
        guard !samples.isEmpty else { throw .invalid("the array holds no samples") }
    }
}

/// Checks an `Idempotency-Key` header: 1–200 visible ASCII characters.
func validateIdempotencyKey(_ key: String) throws(APIError) -> String {
    guard !key.isEmpty, key.utf8.count <= FieldLimits.idempotencyKey,
          key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
        throw .badRequest("header 'Idempotency-Key' must be 1–\(FieldLimits.idempotencyKey) visible ASCII characters")
    }
    return key
}
