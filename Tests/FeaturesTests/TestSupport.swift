import Foundation
import Testing
import TimeSeries
@testable import Features

/// Unix seconds of an ISO 8601 date-time, parsed by TimeSeries (independent of Features).
func unix(_ iso: String) throws -> Int64 {
    try #require(Timestamp.parse(iso), "bad fixture timestamp \(iso)").seconds
}

func berlin(_ holidays: [Holiday] = []) throws -> HolidayCalendar {
    try HolidayCalendar(timeZone: "Europe/Berlin", holidays: holidays)
}

func newYork(_ holidays: [Holiday] = []) throws -> HolidayCalendar {
    try HolidayCalendar(timeZone: "America/New_York", holidays: holidays)
}

/// Bit patterns, so that equality means bit-identical (and NaN or -0 differences are caught).
func bits(_ values: some Sequence<Double>) -> [UInt64] { values.map(\.bitPattern) }

/// The repository root, found from this file's path, for checked-in examples.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
