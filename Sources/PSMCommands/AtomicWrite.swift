import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes `data` to `path` so that readers see either the old file or the whole new one:
/// a temporary file in the same directory, fsync, then rename over the target.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("cannot write \(path): directory \(directory) does not exist")
    }
    let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))") }
    var ok = data.withUnsafeBytes { buffer -> Bool in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
    ok = ok && fsync(fd) == 0
    let failure = String(cString: strerror(errno))
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
        unlink(temporary)
        throw ValidationError("cannot write \(path): \(failure)")
    }
}

import ArgumentParser
