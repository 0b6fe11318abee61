import Foundation
import RealVMSupport
import Testing

/// The serial-log reader and heartbeat parser the real-VM suite relies on (no VM needed: these
/// always run).
struct SerialLogTests {
    static func temporaryLog(_ text: String) throws -> SerialLog {
        let path = NSTemporaryDirectory() + "psm-seriallog-\(UUID().uuidString).log"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return SerialLog(path: path)
    }

    @Test func heartbeatParsesItsFieldsAndRejectsOtherLines() throws {
        let beat = try #require(Heartbeat("PSM-HEARTBEAT n=42 cpus=2 mem_kb=720940"))
        #expect(beat == Heartbeat("[  3.1] noise PSM-HEARTBEAT n=42 cpus=2 mem_kb=720940"))
        #expect(beat.sequence == 42 && beat.cpus == 2 && beat.memoryKiB == 720_940)
        #expect(Heartbeat("PSM-READY") == nil)
        #expect(Heartbeat("PSM-HEARTBEAT n=1 cpus=x mem_kb=5") == nil)
        #expect(Heartbeat("PSM-HEARTBEAT n=1 cpus=1") == nil)
    }

    @Test func linesAfterAMarkSkipTheLineItCutsAndTheUnfinishedLastOne() throws {
        let text = "PSM-READY\nPSM-HEARTBEAT n=1 cpus=1 mem_kb=9\nPSM-HEARTBEAT n=2 cpus=1 mem_kb=9\nPSM-HEART"
        let log = try Self.temporaryLog(text)
        defer { try? FileManager.default.removeItem(atPath: log.path) }
        #expect(log.lines(after: 0) == ["PSM-READY", "PSM-HEARTBEAT n=1 cpus=1 mem_kb=9", "PSM-HEARTBEAT n=2 cpus=1 mem_kb=9"])
        // A mark at a line start keeps that line; a mark inside a line drops it (it began before).
        let secondStart = UInt64("PSM-READY\n".utf8.count)
        #expect(log.lines(after: secondStart).first == "PSM-HEARTBEAT n=1 cpus=1 mem_kb=9")
        #expect(log.lines(after: secondStart + 3).first == "PSM-HEARTBEAT n=2 cpus=1 mem_kb=9")
        #expect(log.lines(after: log.offset()).isEmpty)
        #expect(log.offset() == UInt64(text.utf8.count))
    }

    /// QEMU's serial console ends lines with "\r\n", one Character in Swift: splitting the text
    /// on "\n" kept such lines together (the closed-loop check missed a shadow's PSM-NET line).
    @Test func consoleLinesEndingInCRLFAreSeparateLines() throws {
        let log = try Self.temporaryLog("[ 1.5] ACPI: noise\r\nPSM-NET addr=10.77.57.83\r\nPSM-READY\r\n")
        defer { try? FileManager.default.removeItem(atPath: log.path) }
        #expect(log.lines(after: 0) == ["[ 1.5] ACPI: noise", "PSM-NET addr=10.77.57.83", "PSM-READY"])
    }

    @Test func waitSeesALineAppendedLaterAndTimesOutOtherwise() throws {
        let log = try Self.temporaryLog("PSM-HEARTBEAT n=1 cpus=1 mem_kb=9\n")
        defer { try? FileManager.default.removeItem(atPath: log.path) }
        let mark = log.offset()
        #expect(log.waitForLine(after: mark, timeout: .milliseconds(50), where: { Heartbeat($0) != nil }) == nil)
        let writer = Thread {
            usleep(20_000)
            if let handle = FileHandle(forWritingAtPath: log.path) {
                handle.seekToEndOfFile()
                handle.write(Data("PSM-HEART".utf8))
                usleep(20_000)
                handle.write(Data("BEAT n=2 cpus=2 mem_kb=9\n".utf8))
                try? handle.close()
            }
        }
        writer.start()
        let found = log.waitForLine(after: mark, timeout: .seconds(5), where: { Heartbeat($0) != nil })
        #expect(found.flatMap { Heartbeat($0.line) }?.sequence == 2)
    }

    @Test func waitStartsOverWhenTheFileIsTruncated() throws {
        let log = try Self.temporaryLog(String(repeating: "old line\n", count: 100))
        defer { try? FileManager.default.removeItem(atPath: log.path) }
        let mark = log.offset()
        try "PSM-HEARTBEAT n=7 cpus=1 mem_kb=9\n".write(toFile: log.path, atomically: false, encoding: .utf8)
        let found = log.waitForLine(after: mark, timeout: .seconds(2), where: { Heartbeat($0) != nil })
        #expect(found.flatMap { Heartbeat($0.line) }?.sequence == 7)
    }
}
