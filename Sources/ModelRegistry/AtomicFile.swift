import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes for what psm hands to readers outside the registry (reports, forecasts,
/// summaries): a reader sees the old file or the whole new one, never a part, and a failure
/// (a full disk, a missing directory) leaves no temporary file behind.
public enum AtomicFile {
    /// A write that did not happen, in words: `cannot write PATH: No space left on device`.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        init(_ error: RegistryError) { message = error.message }
        package init(_ message: String) { self.message = message }
    }

    /// Replaces `path` with `data`: a uniquely named temporary file in the same directory, fsync,
    /// rename over the target, fsync the directory.
    public static func write(_ data: Data, to path: String) throws(Failure) {
        do { try replace(data, path) } catch { throw Failure(error) }
    }

    /// Creates a new file with `data` at `path`, or — when that name is taken, e.g. by a run
    /// started in the same second — at `stem-2.ext`, `stem-3.ext`…; never replaces a file.
    /// Returns the path written.
    package static func create(_ data: Data, uniqueNear path: String) throws(Failure) -> String {
        do { return try createUnique(data, path) } catch { throw Failure(error) }
    }

    private static func replace(_ data: Data, _ path: String) throws(RegistryError) {
        let temporary = try writeTemporary(data, for: path)
        let code = DurableFiles.renameItem(temporary, path)
        guard code == 0 else {
            unlink(temporary)
            throw DurableFiles.failure("cannot write", path, errno: code)
        }
        try DurableFiles.syncDirectory(directory(of: path))
    }

    private static func createUnique(_ data: Data, _ path: String) throws(RegistryError) -> String {
        let temporary = try writeTemporary(data, for: path)
        defer { unlink(temporary) }
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        for n in 1...10_000 {
            let candidate = n == 1 ? path : "\(stem)-\(n)" + (ext.isEmpty ? "" : ".\(ext)")
            // link(2) never replaces: it fails with EEXIST when the name is taken.
            if link(temporary, candidate) == 0 {
                try DurableFiles.syncDirectory(directory(of: path))
                return candidate
            }
            guard errno == EEXIST else { throw DurableFiles.failure("cannot write", candidate) }
        }
        throw RegistryError(.io, "cannot write \(path): 10,000 files of that name exist")
    }

    private static func directory(of path: String) -> String {
        let d = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return d.isEmpty ? "." : d
    }

    /// `.<name>.tmp-<random>` beside `path`, written whole and fsynced; removed again on failure.
    private static func writeTemporary(_ data: Data, for path: String) throws(RegistryError) -> String {
        let url = URL(fileURLWithPath: path)
        let directory = directory(of: path)
        guard DurableFiles.isDirectory(directory) else {
            throw RegistryError(.io, "cannot write \(path): the directory \(directory) does not exist")
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(DurableFiles.randomSuffix())").path
        do {
            try DurableFiles.writeNewFile(data, at: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        return temporary
    }
}
