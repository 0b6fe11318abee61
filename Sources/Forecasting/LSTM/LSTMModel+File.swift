import Foundation

/// Why a model file could not be written or read.
public struct LSTMModelFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case io, notAModelFile, unsupportedVersion, corrupted
    }
    public let code: Code
    public let message: String
    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// The JSON header of a model file: everything but the weights.
struct LSTMModelHeader: Codable {
    var formatVersion: Int
    var shape: LSTMShape
    var configuration: LSTMConfiguration
    var levels: [Double]
    var features: LSTMFeatureScaling
    var normalisation: LSTMNormalisation
    var series: [LSTMSeriesScaling]
    var training: LSTMTrainingReport
    /// Parameters per member.
    var parameterCount: Int
    /// Members (one per training seed), stored one after the other.
    var memberCount: Int
    /// FNV-1a (64-bit) of the weight bytes, as 16 hex digits: catches flipped or lost bytes.
    var weightsChecksum: String

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", shape, configuration, levels, features, normalisation, series, training
        case parameterCount = "parameter_count", memberCount = "member_count", weightsChecksum = "weights_fnv1a64"
    }
}

extension LSTMModel {
    /// The first four bytes of every LSTM model file.
    public static let magic: [UInt8] = Array("PSML".utf8)

    /// The file: magic, UInt32 (little-endian) header length, the JSON header, then each member's
    /// parameters as little-endian Float32 in `shape`'s layout, one member after the other.
    public func serialized() throws(LSTMModelFileError) -> [UInt8] {
        let weights = Self.weightBytes(members)
        let header = LSTMModelHeader(formatVersion: Self.formatVersion, shape: shape, configuration: configuration,
                                     levels: levels, features: features, normalisation: normalisation, series: series,
                                     training: training, parameterCount: parameters.count, memberCount: members.count,
                                     weightsChecksum: Self.fnv1a(weights))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json: Data
        do { json = try encoder.encode(header) } catch {
            throw LSTMModelFileError(.io, "cannot encode the model header: \(error)")
        }
        var out = Self.magic
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out += $0 }
        out += json
        out += weights
        return out
    }

    /// Reads a model from bytes, validating magic, version, shapes, size and checksum.
    public init(serialized bytes: [UInt8]) throws(LSTMModelFileError) {
        guard bytes.count >= 8, Array(bytes[0..<4]) == Self.magic else {
            throw LSTMModelFileError(.notAModelFile, "not an LSTM model file (expected the magic \"PSML\")")
        }
        let length = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
        guard bytes.count >= 8 + length else {
            throw LSTMModelFileError(.corrupted, "truncated model file: header of \(length) bytes, file of \(bytes.count)")
        }
        let header: LSTMModelHeader
        do {
            // Read the version first so that a newer file gets a version error, not a decoding one.
            struct Version: Decodable { var format_version: Int }
            let json = Data(bytes[8..<(8 + length)])
            let version = try JSONDecoder().decode(Version.self, from: json).format_version
            guard version == Self.formatVersion else {
                let hint = version < Self.formatVersion
                    ? ": it scales whole series, this build scales each window by its level; retrain the group (psm train)"
                    : ""
                throw LSTMModelFileError(.unsupportedVersion,
                                         "model format version \(version) is not supported (this build reads \(Self.formatVersion))\(hint)")
            }
            header = try JSONDecoder().decode(LSTMModelHeader.self, from: json)
        } catch let error as LSTMModelFileError {
            throw error
        } catch {
            throw LSTMModelFileError(.corrupted, "unreadable model header: \(error)")
        }
        if let problem = header.shape.problem() { throw LSTMModelFileError(.corrupted, "invalid shape: \(problem)") }
        if let problem = header.configuration.problem {
            throw LSTMModelFileError(.corrupted, "invalid configuration: \(problem)")
        }
        guard header.parameterCount == header.shape.parameterCount else {
            throw LSTMModelFileError(.corrupted, "header lists \(header.parameterCount) parameters, its shape needs \(header.shape.parameterCount)")
        }
        guard header.levels.count == header.shape.quantileCount, !header.levels.isEmpty,
              header.levels.allSatisfy({ $0 > 0 && $0 < 1 }), zip(header.levels, header.levels.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw LSTMModelFileError(.corrupted, "quantile levels \(header.levels) do not match the shape") }
        guard header.features.names.count == header.shape.featureCount, header.features.scales.count == header.shape.featureCount,
              header.features.scales.allSatisfy({ $0 > 0 && $0.isFinite })
        else { throw LSTMModelFileError(.corrupted, "feature scaling does not match \(header.shape.featureCount) features") }
        guard header.series.allSatisfy({ $0.scale > 0 && $0.scale.isFinite && ($0.embeddingIndex ?? 0) < max(header.shape.seriesCount, 1) })
        else { throw LSTMModelFileError(.corrupted, "a series scale or embedding index is invalid") }
        guard (1...1_000).contains(header.memberCount) else {
            throw LSTMModelFileError(.corrupted, "member count \(header.memberCount) is not 1…1000")
        }
        guard (1...1_000_000).contains(header.normalisation.season) else {
            throw LSTMModelFileError(.corrupted, "normalisation season \(header.normalisation.season) is not 1…1000000")
        }
        let expected = 8 + length + header.parameterCount * header.memberCount * 4
        guard bytes.count == expected else {
            throw LSTMModelFileError(.corrupted, bytes.count < expected
                ? "truncated model file: \(bytes.count) bytes, expected \(expected)"
                : "model file has \(bytes.count - expected) unexpected trailing bytes")
        }
        let weights = bytes[(8 + length)...]
        guard Self.fnv1a(weights) == header.weightsChecksum else {
            throw LSTMModelFileError(.corrupted, "weights checksum mismatch: the file is corrupted")
        }
        var members: [[Float]] = []
        var i = 8 + length
        for _ in 0..<header.memberCount {
            var parameters = [Float](repeating: 0, count: header.parameterCount)
            for k in 0..<header.parameterCount {
                let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                parameters[k] = Float(bitPattern: bits)
                i += 4
            }
            members.append(parameters)
        }
        self.init(shape: header.shape, configuration: header.configuration, levels: header.levels,
                  features: header.features, normalisation: header.normalisation, series: header.series,
                  members: members, training: header.training)
    }

    /// Writes the model file (atomically: a temporary file renamed into place).
    public func write(to url: URL) throws(LSTMModelFileError) {
        let bytes = try serialized()
        do { try Data(bytes).write(to: url, options: .atomic) } catch {
            throw LSTMModelFileError(.io, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Loads a model file written by `write(to:)`.
    public static func load(from url: URL) throws(LSTMModelFileError) -> LSTMModel {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LSTMModelFileError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        return try LSTMModel(serialized: [UInt8](data))
    }

    /// Every member's parameters as little-endian Float32, one member after the other.
    static func weightBytes(_ members: [[Float]]) -> [UInt8] {
        var weights = [UInt8]()
        weights.reserveCapacity(members.reduce(0) { $0 + $1.count } * 4)
        for member in members {
            for p in member {
                let bits = p.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { weights += $0 }
            }
        }
        return weights
    }

    /// The file's `weights_fnv1a64` of these members: equal for two files only when they hold
    /// the same weights (a network shared across groups has the same in every group's file).
    package static func weightsChecksum(_ members: [[Float]]) -> String { fnv1a(weightBytes(members)) }

    static func fnv1a<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
