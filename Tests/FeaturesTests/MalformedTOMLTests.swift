import Testing
import TOMLKit
@testable import Features

/// Malformed TOML that failed an internal check of toml++ 3.4.0 and aborted the process
/// (Vendor/TOMLKit/PSM-PATCH.md). Each was found by the fuzzer (docs/fuzzing.md; the inputs as
/// found are in Tests/Fuzz/crashes/*-toml/) and reduced by hand.
enum MalformedTOML {
    static let inputs: [(text: String, check: String)] = [
        ("[+inf]\n", "is_bare_key_character"),          // a table name starting with a non-key character
        ("a = 1\n[[[1]]]\n", "is_bare_key_character"),  // marzer/tomlplusplus#301
        ("[=]\n", "is_bare_key_character"),
        ("a = [}\n", "is_value_terminator"),            // an array element that is a terminator
        ("a = [1,}\n", "is_value_terminator"),
        ("a = [\u{2028}1]\n", "is_value_terminator"),    // U+2028 counts as whitespace there
        ("end = 2026-03-01Ty12:00:00\n", "is_decimal_digit"), // a date-time whose time is not digits
    ]
}

@Suite("malformed TOML is a syntax error, not an abort")
struct MalformedTOMLTests {
    @Test("TOMLKit throws a parse error", arguments: MalformedTOML.inputs.map(\.text))
    func parser(text: String) throws {
        let check = try #require(MalformedTOML.inputs.first { $0.text == text }).check
        #expect { _ = try TOMLTable(string: text) } throws: { error in
            guard let e = error as? TOMLParseError else { return false }
            return e.description.contains("the TOML parser cannot read this text") && e.description.contains(check)
        }
    }

    @Test("the calendar file reports it as a syntax error naming the file", arguments: MalformedTOML.inputs.map(\.text))
    func calendar(text: String) {
        #expect { _ = try CalendarFile.parse(text, fileName: "calendar.toml") } throws: { error in
            guard let e = error as? CalendarFileError else { return false }
            return e.code == .syntax && e.description.hasPrefix("calendar.toml") && e.description.contains("cannot read this text")
        }
    }

    @Test("well-formed TOML close to those inputs still parses")
    func neighbours() throws {
        let table = try TOMLTable(string: "a = [[1], [-1]]\nb = [ 1 , 2 ]\nend = 2026-03-01T12:00:00\n[inf]\n[\"+x\"]\n")
        #expect(table["inf"]?.table != nil && table["+x"]?.table != nil)
        #expect(table["a"]?.array?.count == 2 && table["b"]?.array?.count == 2)
        #expect(table["end"]?.dateTime != nil)
    }
}
