import Foundation

/// The one file lister of the commands that read CSV (`psm inspect`, `psm ingest`, `[data] inputs`
/// of `psm train`): files as given, directories to every `*.csv` below them (any depth, any case of
/// the extension), sorted per directory so output is stable.
package enum CSVFiles {
    /// Expands `paths`; a missing path or a directory without CSV files is an error naming it.
    package static func expand(_ paths: [String]) throws(IngestError) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IngestError(.fileNotReadable, "no such file or directory", file: path)
            }
            guard isDirectory.boolValue else { files.append(path); continue }
            guard let walker = fm.enumerator(atPath: path) else {
                throw IngestError(.fileNotReadable, "cannot list the directory", file: path)
            }
            var found: [String] = []
            for case let relative as String in walker where relative.lowercased().hasSuffix(".csv") {
                found.append((path as NSString).appendingPathComponent(relative))
            }
            guard !found.isEmpty else { throw IngestError(.fileNotReadable, "no .csv files in this directory", file: path) }
            files += found.sorted()
        }
        return files
    }
}
