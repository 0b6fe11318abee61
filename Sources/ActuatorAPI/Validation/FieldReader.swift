import Foundation

/// Any JSON object key.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads the fields of one JSON object, turning every decoding problem into a 400 that names the
/// field (with its place in an array, e.g. `samples[3].value`).
///
/// Requests are read through this rather than synthesized `Decodable` so that a client learns
/// which field is missing, of the wrong type or unknown, instead of a decoder's coding path.
struct FieldReader {
    let container: KeyedDecodingContainer<AnyKey>
    /// Prepended to field names in messages ("" at the top level).
    let path: String

    init(_ decoder: any Decoder, path: String, expecting what: String) throws(APIError) {
        do {
            container = try decoder.container(keyedBy: AnyKey.self)
        } catch {
            throw .badRequest("\(path.isEmpty ? "the body" : path) must be a JSON object (\(what))")
        }
        self.path = path
    }

    init(_ container: KeyedDecodingContainer<AnyKey>, path: String) {
        self.container = container
        self.path = path
    }

    func name(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }

    /// Refuses fields the request type does not have (a misspelt `multipler` must not be ignored).
    func rejectUnknown(allowed: [String]) throws(APIError) {
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let shown = key.stringValue.count > 64 ? String(key.stringValue.prefix(64)) + "…" : key.stringValue
            throw .badRequest("unknown field '\(name(shown))'; allowed fields: \(allowed.joined(separator: ", "))")
        }
    }

    /// The value of `field`, nil when absent. An explicit null is refused: the API documents
    /// optional fields as "leave it out", and one meaning per request keeps `oneOf` checks exact.
    private func optional<T: Decodable>(_ type: T.Type, _ field: String, _ expected: String) throws(APIError) -> T? {
        let key = AnyKey(stringValue: field)
        guard container.contains(key) else { return nil }
        if (try? container.decodeNil(forKey: key)) == true {
            throw .badRequest("field '\(name(field))' must not be null; give \(expected) or leave the field out")
        }
        do {
            return try container.decode(type, forKey: key)
        } catch {
            throw .badRequest("field '\(name(field))' must be \(expected)")
        }
    }

    private func required<T: Decodable>(_ type: T.Type, _ field: String, _ expected: String) throws(APIError) -> T {
        guard container.contains(AnyKey(stringValue: field)) else {
            throw .badRequest("missing field '\(name(field))' (\(expected))")
        }
        guard let value = try optional(type, field, expected) else {
            throw .badRequest("missing field '\(name(field))' (\(expected))")
        }
        return value
    }

    /// The nested object `field`, nil when absent; refused (400) when null or not an object.
    func optionalObject(_ field: String, expecting what: String) throws(APIError) -> FieldReader? {
        let key = AnyKey(stringValue: field)
        guard container.contains(key) else { return nil }
        if (try? container.decodeNil(forKey: key)) == true {
            throw .badRequest("field '\(name(field))' must not be null; give \(what) or leave the field out")
        }
        guard let nested = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: key) else {
            throw .badRequest("field '\(name(field))' must be \(what)")
        }
        return FieldReader(nested, path: name(field))
    }

    func string(_ field: String, maxLength: Int) throws(APIError) -> String {
        try checked(required(String.self, field, "a string"), field, maxLength: maxLength)
    }

    func optionalString(_ field: String, maxLength: Int) throws(APIError) -> String? {
        guard let value = try optional(String.self, field, "a string") else { return nil }
        return try checked(value, field, maxLength: maxLength)
    }

    func int64(_ field: String, _ meaning: String) throws(APIError) -> Int64 {
        try required(Int64.self, field, "an integer (\(meaning))")
    }

    func optionalInt64(_ field: String, _ meaning: String) throws(APIError) -> Int64? {
        try optional(Int64.self, field, "an integer (\(meaning))")
    }

    func double(_ field: String) throws(APIError) -> Double {
        try finite(required(Double.self, field, "a number"), field)
    }

    func optionalDouble(_ field: String) throws(APIError) -> Double? {
        try optional(Double.self, field, "a number").map { v throws(APIError) in try finite(v, field) }
    }

    private func finite(_ value: Double, _ field: String) throws(APIError) -> Double {
        guard value.isFinite else { throw .invalid("field '\(name(field))' must be a finite number") }
        return value
    }

    private func checked(_ value: String, _ field: String, maxLength: Int) throws(APIError) -> String {
        guard value.unicodeScalars.count <= maxLength else {
            throw .invalid("field '\(name(field))' is longer than \(maxLength) characters")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("field '\(name(field))' contains control characters")
        }
        return value
    }
}

/// A request body type read with `FieldReader`.
protocol BodyReadable {
    init(reading decoder: any Decoder) throws(APIError)
}

/// Adapts a `BodyReadable` to `JSONDecoder`: errors thrown inside come out unchanged.
struct BodyEnvelope<Value: BodyReadable>: Decodable {
    var value: Value
    init(from decoder: any Decoder) throws {
        value = try Value(reading: decoder)
    }
}

enum JSONBody {
    /// Decodes `data` as `T`, turning invalid JSON into a 400 that says where it broke.
    static func decode<T: BodyReadable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        guard !data.isEmpty else { throw .badRequest("the request body is empty; expected JSON") }
        do {
            return try JSONDecoder().decode(BodyEnvelope<T>.self, from: data).value
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("the body is not valid JSON: \(syntaxError(data))")
        }
    }

    /// Where the JSON breaks: JSONDecoder only says that it does, JSONSerialization says where
    /// (e.g. "Invalid value around character 6."). Runs on the error path only.
    static func syntaxError(_ data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "it does not decode"
        } catch let error as NSError {
            let reason = error.userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            return String(reason.prefix(200))
        }
    }
}
