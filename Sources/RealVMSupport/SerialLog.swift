import Foundation

/// A guest's serial console file, read as it grows: how the real-VM tests and the benchmark see
/// the guest's own output (`PSM-READY`, then `PSM-HEARTBEAT n=… cpus=… mem_kb=…` every ~10 ms).
package struct SerialLog: Sendable {
    /// The file QEMU writes the serial console to.
    package let path: String

    package init(path: String) { self.path = path }

    /// The file's current size: a mark to wait for output produced after it.
    package func offset() -> UInt64 {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
    }

    /// The complete lines written after `offset` (a line cut by `offset` is skipped: it began
    /// before the mark).
    package func lines(after offset: UInt64) -> [Substring] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        // The byte before the mark tells whether the mark sits at a line start.
        let start = offset > 0 ? offset - 1 : 0
        guard (try? handle.seek(toOffset: start)) != nil,
              let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
        var bytes = data[...]
        if offset > 0 {
            // Skip the rest of a line cut by the mark.
            guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return [] }
            bytes = bytes[(newline + 1)...]
        }
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        // Split the bytes, not the decoded text: the console ends lines with "\r\n", which Swift
        // reads as ONE character, so splitting a String on "\n" would keep such lines together.
        return bytes[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { line in
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            return trimmed.isEmpty ? nil : Substring(String(decoding: trimmed, as: UTF8.self))
        }
    }

    /// Polls (every `pollMicroseconds`) until a complete line after `offset` satisfies `match`;
    /// returns it with the instant it was seen, or nil after `timeout`. Blocks the calling thread:
    /// a latency measurement cannot afford a scheduler hop.
    package func waitForLine(after offset: UInt64, timeout: Duration, pollMicroseconds: UInt32 = 1000,
                            where match: (Substring) -> Bool) -> (line: Substring, seen: ContinuousClock.Instant)? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var scanned = offset
        var lastSize = offset
        while clock.now < deadline {
            let size = self.offset()
            // QEMU may reopen the file truncated (a restore): start over from its beginning.
            if size < scanned { scanned = 0 }
            if size != lastSize {
                lastSize = size
                for line in lines(after: scanned) where match(line) {
                    return (line, clock.now)
                }
                // Only complete lines were looked at; rescan from the last one's start next time.
                scanned = Self.lastLineStart(in: path, before: size) ?? scanned
            }
            usleep(pollMicroseconds)
        }
        return nil
    }

    /// The offset just after the last newline before `size` (so that a line still being written
    /// is read again whole).
    private static func lastLineStart(in path: String, before size: UInt64) -> UInt64? {
        guard size > 0, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let window: UInt64 = min(size, 4096)
        guard (try? handle.seek(toOffset: size - window)) != nil,
              let data = try? handle.read(upToCount: Int(window)),
              let newline = data.lastIndex(of: UInt8(ascii: "\n")) else { return nil }
        return size - window + UInt64(newline - data.startIndex) + 1
    }
}

/// One `PSM-HEARTBEAT n=… cpus=… mem_kb=…` line.
public struct Heartbeat: Sendable, Hashable {
    package var sequence: Int
    /// CPUs online in the guest.
    package var cpus: Int
    /// The guest's MemTotal (the balloon lowers it), KiB.
    package var memoryKiB: UInt64

    /// Parses a heartbeat line; nil for anything else (kernel messages share the console).
    package init?(_ line: Substring) {
        guard let start = line.range(of: "PSM-HEARTBEAT ") else { return nil }
        var fields: [Substring: Substring] = [:]
        for pair in line[start.upperBound...].split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let n = fields["n"].flatMap({ Int($0) }), let cpus = fields["cpus"].flatMap({ Int($0) }),
              let mem = fields["mem_kb"].flatMap({ UInt64($0) }) else { return nil }
        sequence = n
        self.cpus = cpus
        memoryKiB = mem
    }
}
