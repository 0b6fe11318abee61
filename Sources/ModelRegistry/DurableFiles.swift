import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `DurableFiles.read` shadows the C function inside the enum.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// The POSIX calls publishing relies on, each mapped to a `RegistryError(.io)` once, here.
///
/// Foundation's atomic writes do not fsync the directory, and the atomicity argument of
/// docs/models.md needs every step's durability spelled out, so the registry uses these directly.
enum DurableFiles {
    static func failure(_ what: String, _ path: String, errno code: Int32 = errno) -> RegistryError {
        RegistryError(.io, "\(what) \(path): \(String(cString: strerror(code)))")
    }

    /// Creates `path` (which must not exist), writes all of `data`, fsyncs and closes it.
    static func writeNewFile(_ data: Data, at path: String) throws(RegistryError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create", path) }
        var code: Int32 = 0
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, base + offset, buffer.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { code = n == 0 ? EIO : errno; return }
                offset += n
            }
        }
        if code == 0, fsync(fd) != 0 { code = errno }
        close(fd)
        if code != 0 { throw failure("cannot write", path, errno: code) }
    }

    /// Flushes a directory's entries (new names, renames) to disk.
    static func syncDirectory(_ path: String) throws(RegistryError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("cannot fsync directory", path) }
    }

    static func makeDirectory(_ path: String) throws(RegistryError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("cannot create directory", path) }
    }

    /// Renames within one file system; atomic for readers (they see the old name's target or the new).
    /// Returns the errno instead of throwing so callers can treat `EEXIST`/`ENOTEMPTY` specially.
    static func renameItem(_ from: String, _ to: String) -> Int32 {
        rename(from, to) == 0 ? 0 : errno
    }

    /// Reads a whole regular file; `nil` when it does not exist.
    static func read(_ path: String) throws(RegistryError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("cannot open", path)
        }
        defer { close(fd) }
        // An uninitialised chunk: the actuator reads every group's tiny CURRENT each cycle, and
        // zero-filling 64 KiB per read cost more than the read.
        return try withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { chunk throws(RegistryError) -> Data in
            var data = Data()
            while true {
                let n = systemRead(fd, chunk.baseAddress, chunk.count)
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw failure("cannot read", path) }
                if n == 0 { return data }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            }
        }
    }

    /// Names in a directory (no `.`/`..`); empty when it does not exist.
    static func list(_ path: String) throws(RegistryError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw failure("cannot list", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFDIR
    }

    static func removeTree(_ path: String) throws(RegistryError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            guard FileManager.default.fileExists(atPath: path) else { return }
            throw RegistryError(.io, "cannot remove \(path): \(error)")
        }
    }

    /// A random suffix for temporary names, unique across processes writing the same group.
    static func randomSuffix() -> String {
        String(UInt64.random(in: 0 ... .max), radix: 16)
    }

    /// Runs `body` holding an exclusive `flock` on `path`. The kernel drops the lock when the process
    /// dies, so a crash never leaves a group locked; the lock only orders writers, readers never take it.
    static func withLock<T>(_ path: String, _ body: () throws(RegistryError) -> T) throws(RegistryError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open lock file", path) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("cannot lock", path) }
        }
        return try body()
    }
}
