import Foundation
import Ingest
import Testing

/// The one CSV file lister: files as given, directories recursively, sorted; clear errors.
@Suite struct CSVFilesTests {
    @Test func directoriesExpandRecursivelyAndSortedFilesStayAsGiven() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("csvfiles-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/b/deep", withIntermediateDirectories: true)
        for file in ["z.csv", "a.CSV", "notes.txt", "b/m.csv", "b/deep/k.csv"] {
            FileManager.default.createFile(atPath: root + "/" + file, contents: Data("t,v\n".utf8))
        }
        let single = root + "/notes.txt"
        #expect(try CSVFiles.expand([single, root]) == [single] + ["a.CSV", "b/deep/k.csv", "b/m.csv", "z.csv"].map { root + "/" + $0 })
    }

    @Test func aMissingPathOrADirectoryWithoutCSVIsAnErrorNamingIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("csvfiles-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        do {
            _ = try CSVFiles.expand([root])
            Issue.record("an empty directory was accepted")
        } catch {
            #expect(error.file == root && error.message.contains("no .csv files") && error.code == .fileNotReadable)
        }
        do {
            _ = try CSVFiles.expand([root + "/missing.csv"])
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.file == root + "/missing.csv" && error.message == "no such file or directory")
        }
    }
}
