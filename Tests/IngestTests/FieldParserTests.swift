import Foundation
import Testing
@testable import Ingest

@Suite("Number, timestamp and CSV record parsing from bytes")
struct FieldParserTests {
    private func number(_ s: String) -> NumberField {
        var s = s
        return s.withUTF8 { b in
            guard let p = b.baseAddress else { return FieldParser.number(UnsafePointer(bitPattern: 1)!, 0) }
            return FieldParser.number(p, b.count)
        }
    }

    private func time(_ s: String) -> TimeField {
        var s = s
        return s.withUTF8 { b in
            guard let p = b.baseAddress else { return .empty }
            return FieldParser.time(p, b.count)
        }
    }

    @Test func numbersMatchSwiftsOwnParserBitForBit() {
        // Swift's Double(String) is the independent reference (correctly rounded).
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 0...17, using: &rng)
            let x = Double.random(in: -1e6...1e6, using: &rng)
            let text = String(format: "%.\(digits)f", x)
            #expect(number(text) == .value(Double(text)!), "\(text)")
        }
        for text in ["0", "-0.5", "+3", ".25", "7.", "1e3", "-2.5E-3", "51.846000000000004", "123456789012345678",
                     "0.000000000000000000000001", "1.7976931348623157e308"] {
            #expect(number(text) == .value(Double(text)!), "\(text)")
        }
    }

    @Test func badNumbersAreClassified() {
        #expect(number("") == .empty)
        #expect(number("   ") == .empty)
        #expect(number(" 4.5\t") == .value(4.5))
        for text in ["abc", "-", ".", "1.2.3", "0x10", "1,5", "12abc", "1 2"] {
            #expect(number(text) == .nonNumeric, "\(text)")
        }
        for text in ["NaN", "nan", "inf", "-Infinity", "1e400"] {
            #expect(number(text) == .nonFinite, "\(text)")
        }
    }

    @Test func timestampsAreIntegersOrISO() {
        #expect(time("42") == .position(42, .integer))
        #expect(time("-3") == .position(-3, .integer))
        #expect(time("2014-02-14 14:30:00") == .position(1_392_388_200, .isoNaive))
        #expect(time("2014-02-14T14:30:00Z") == .position(1_392_388_200, .isoUTC))
        #expect(time("2014-02-14T16:30:00+02:00") == .position(1_392_388_200, .isoOffset))
        #expect(time("") == .empty)
        #expect(time("2014-02-30") == .bad)
        #expect(time("14:30") == .bad)
    }

    @Test func tokenizerSplitsQuotedFieldsAndCountsLines() {
        let text = "\u{FEFF}a,\"b,\"\"c\"\"\"\r\n\n\"x\ny\",\r\nlast"
        var data = Array(text.utf8)
        data.withUnsafeMutableBytes { raw in
            var tok = CSVTokenizer(UnsafeRawBufferPointer(raw))
            var fields: [CSVField] = []
            var records: [(Int, [String])] = []
            while let r = tok.next(into: &fields) {
                records.append((r.line, fields.map { tok.string($0) }))
            }
            #expect(records.map(\.0) == [1, 3, 5])
            #expect(records.map(\.1) == [["a", "b,\"c\""], ["x\ny", ""], ["last"]])
        }
    }

    @Test func unterminatedQuoteMarksTheRecordMalformed() {
        var data = Array("a,\"open\nb,c".utf8)
        data.withUnsafeMutableBytes { raw in
            var tok = CSVTokenizer(UnsafeRawBufferPointer(raw))
            var fields: [CSVField] = []
            let r = tok.next(into: &fields)
            #expect(r?.malformed == true)
            #expect(tok.next(into: &fields) == nil)
        }
    }
}
