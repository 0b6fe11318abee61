import Foundation

/// A `psm.toml`, read once for whichever program reads it: `psm train`'s sections, `[actuator]`
/// and `[api]` all start from this. A file that cannot be read is `unreadable`, bad TOML a `syntax`
/// error with its line and column, a section neither program knows `unknownKey` (a misspelt
/// section would otherwise leave every key in it at its default); the loaders name the key and
/// section of every later problem through `root`.
package struct PSMFile {
    /// The sections a psm.toml may have.
    package static let sections = ["data", "calendar", "forecast", "backtest", "models", "calibration",
                                  "registry", "report", "train", "actuator", "api"]

    /// The file as its errors name it.
    package let path: String
    /// The file's directory, against which relative paths in it resolve ("." for text).
    package let directory: String
    /// The top level.
    package let root: TOMLSection

    /// Reads and parses the file at `path`.
    package static func read(_ path: String) throws(ConfigurationError) -> PSMFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, file: path, location: "", "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try PSMFile(text: text, file: path, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Parses psm.toml text; `file` labels errors.
    package init(text: String, file: String, directory: String = ".") throws(ConfigurationError) {
        let root = try TOMLSection.root(parsing: text, file: file)
        try root.rejectUnknown(Self.sections)
        self.path = file
        self.directory = directory
        self.root = root
    }
}
