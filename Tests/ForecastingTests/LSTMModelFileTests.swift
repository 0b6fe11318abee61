import Foundation
import Forecasting
import Testing

/// A model with random weights (no training needed to test storage and scoring).
func randomLSTMModel(features: Int = 2, embedding: Int = 0, seed: UInt64 = 5) -> LSTMModel {
    var c = LSTMConfiguration(hiddenSize: 6, layers: 2, window: 10, epochs: 1, seed: seed)
    c.embeddingSize = embedding
    let shape = LSTMShape(hiddenSize: 6, layers: 2, horizon: 4, quantileCount: 3, featureCount: features,
                          embeddingSize: embedding, seriesCount: embedding > 0 ? 2 : 0)
    var rng = SplitMix(seed: seed)
    let parameters = (0..<shape.parameterCount).map { _ in Float(rng.normal() * 0.4) }
    return LSTMModel(shape: shape, configuration: c, levels: [0.1, 0.5, 0.9],
                     features: LSTMFeatureScaling(names: (0..<features).map { "f\($0)" }, scales: (0..<features).map { Double($0) + 1 }),
                     series: [LSTMSeriesScaling(seriesID: "a", scale: 3.5, embeddingIndex: embedding > 0 ? 0 : nil),
                              LSTMSeriesScaling(seriesID: "b", scale: 0.25, embeddingIndex: embedding > 0 ? 1 : nil)],
                     parameters: parameters)
}

@Suite struct LSTMModelFileTests {
    @Test func roundTripKeepsEveryFieldBitForBit() throws {
        let model = randomLSTMModel(embedding: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-\(UUID().uuidString).psml")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url)
        let loaded = try LSTMModel.load(from: url)
        #expect(loaded.parameters.map(\.bitPattern) == model.parameters.map(\.bitPattern))
        #expect(loaded.shape == model.shape)
        #expect(loaded.configuration == model.configuration)
        #expect(loaded.levels == model.levels)
        #expect(loaded.features == model.features)
        #expect(loaded.series == model.series)
        // The file starts with the magic and a little-endian header length.
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(Array(bytes[0..<4]) == Array("PSML".utf8))
        let length = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(bytes.count == 8 + length + model.shape.parameterCount * 4)
    }

    @Test func truncatedFileIsRefusedWithAClearError() throws {
        let bytes = try randomLSTMModel().serialized()
        for cut in [3, 7, 20, bytes.count - 1] {
            #expect {
                _ = try LSTMModel(serialized: Array(bytes.prefix(cut)))
            } throws: { error in
                guard let e = error as? LSTMModelFileError else { return false }
                return cut < 8 ? e.code == .notAModelFile : (e.code == .corrupted && e.message.contains("truncated"))
            }
        }
    }

    @Test func flippedWeightByteFailsTheChecksum() throws {
        var bytes = try randomLSTMModel().serialized()
        bytes[bytes.count - 5] ^= 0x10
        #expect(throws: LSTMModelFileError.self) { _ = try LSTMModel(serialized: bytes) }
        do { _ = try LSTMModel(serialized: bytes) } catch { #expect(error.code == .corrupted && error.message.contains("checksum")) }
    }

    @Test func otherFilesAndNewerVersionsAreRefused() throws {
        let bytes = try randomLSTMModel().serialized()
        var wrongMagic = bytes
        wrongMagic[0] = UInt8(ascii: "X")
        do { _ = try LSTMModel(serialized: wrongMagic); Issue.record("accepted a wrong magic") } catch {
            #expect(error.code == .notAModelFile)
        }
        // Rewrite the header's version to 99, fixing up the header length.
        let length = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        let json = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            .replacingOccurrences(of: "\"format_version\":2", with: "\"format_version\":99")
        let newHeader = Array(json.utf8)
        var newer = Array(bytes[0..<4])
        withUnsafeBytes(of: UInt32(newHeader.count).littleEndian) { newer += $0 }
        newer += newHeader + bytes[(8 + length)...]
        do { _ = try LSTMModel(serialized: newer); Issue.record("accepted version 99") } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("99"))
        }
    }
}
