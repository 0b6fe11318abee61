import Foundation
import Yams

/// docs/openapi.yaml, loaded with Yams, and a validator for the subset of JSON Schema it uses
/// (type, required, properties, additionalProperties, items, enum, oneOf, minimum, $ref). Shared by
/// the API tests over the stand-in control and the tests of the served `psm-actuator`.
package struct OpenAPIDocument {
    public let root: [String: Any]

    package init(root: [String: Any]) { self.root = root }

    public static func load() throws -> OpenAPIDocument {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw OpenAPIDocumentError(description: "docs/openapi.yaml is not a mapping")
        }
        return OpenAPIDocument(root: root)
    }

    public var paths: [String: [String: Any]] {
        (root["paths"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] }
    }

    /// `METHOD /path` for every operation.
    package var operations: Set<String> {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var result: Set<String> = []
        for (path, item) in paths {
            for key in item.keys where methods.contains(key) { result.insert("\(key.uppercased()) \(path)") }
        }
        return result
    }

    public func operation(_ method: String, _ path: String) -> [String: Any]? {
        paths[path]?[method.lowercased()] as? [String: Any]
    }

    /// The JSON schema of a response, following `$ref`s to components/responses.
    package func responseSchema(_ method: String, _ path: String, status: Int) -> [String: Any]? {
        guard let responses = operation(method, path)?["responses"] as? [String: Any],
              var response = responses[String(status)] as? [String: Any] else { return nil }
        if let ref = response["$ref"] as? String, let resolved = resolve(ref) { response = resolved }
        let content = response["content"] as? [String: Any]
        return (content?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
    }

    package func documentedStatuses(_ method: String, _ path: String) -> Set<Int> {
        Set((operation(method, path)?["responses"] as? [String: Any] ?? [:]).keys.compactMap { Int($0) })
    }

    package func resolve(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let dict = node as? [String: Any], let next = dict[String(part)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    /// Problems of `value` against `schema`; empty when it conforms.
    public func problems(_ value: JSONValue, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            guard let resolved = resolve(ref) else { return ["\(path): unresolvable \(ref)"] }
            return problems(value, resolved, at: path)
        }
        var found: [String] = []
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = options.filter { problems(value, $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): matches \(matching) of oneOf's \(options.count) schemas") }
        }
        if let allowed = schema["enum"] as? [Any] {
            guard case .string(let text) = value, allowed.contains(where: { "\($0)" == text }) else {
                return found + ["\(path): \(value) not in enum \(allowed)"]
            }
        }
        guard let type = schema["type"] as? String else { return found }
        switch (type, value) {
        case ("object", .object(let object)):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                found.append("\(path): missing required '\(key)'")
            }
            for (key, item) in object {
                if let property = properties[key] as? [String: Any] {
                    found += problems(item, property, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(item, extra, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): '\(key)' is not in the schema")
                }
            }
        case ("array", .array(let array)):
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { found += problems(item, items, at: "\(path)[\(i)]") }
            }
        case ("string", .string), ("boolean", .bool):
            break
        case ("integer", .integer(let n)):
            found += minimumProblems(Double(n), schema, path)
        case ("number", .integer(let n)):
            found += minimumProblems(Double(n), schema, path)
        case ("number", .number(let x)):
            found += minimumProblems(x, schema, path)
        default:
            found.append("\(path): expected \(type), got \(value)")
        }
        return found
    }

    private func minimumProblems(_ x: Double, _ schema: [String: Any], _ path: String) -> [String] {
        let minimum = schema["minimum"] as? Double ?? (schema["minimum"] as? Int).map(Double.init)
        if let minimum, x < minimum { return ["\(path): \(x) < minimum \(minimum)"] }
        return []
    }
}

/// A parsed JSON value, keeping integers apart from other numbers and booleans apart from both.
public enum JSONValue: Decodable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let i): "\(i)"
        case .number(let x): "\(x)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[\(a.count) items]"
        case .object(let o): "{\(o.keys.sorted().joined(separator: ", "))}"
        }
    }
}

/// docs/openapi.yaml cannot be used.
package struct OpenAPIDocumentError: Error, CustomStringConvertible {
    public let description: String
}
