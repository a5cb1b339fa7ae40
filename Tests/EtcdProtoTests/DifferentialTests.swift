import Foundation
import ProtoWire
import Testing

/// Drives Reference/reference.py, which uses Python's `protobuf` on the same proto/*.proto files.
///
/// Knobs (environment): PROTO_DIFF_ITERATIONS messages per type and direction (default 200),
/// PROTO_DIFF_SEED (default fixed) to reproduce or vary a run.
enum Reference {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/reference.py").path

    static var iterations: Int {
        ProcessInfo.processInfo.environment["PROTO_DIFF_ITERATIONS"].flatMap(Int.init) ?? 200
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["PROTO_DIFF_SEED"].flatMap(UInt64.init) ?? 20_261_123
    }

    static let typesByName: [String: any RandomMessage.Type] = Dictionary(
        uniqueKeysWithValues: allMessageTypes.map { ($0.protoName, $0) })

    /// Runs the reference script; records an issue (with install instructions when the Python
    /// packages are missing) and returns false when it fails.
    static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            Issue.record("cannot start python3 (\(error)); install Python 3 and `pip install protobuf grpcio-tools`",
                         sourceLocation: sourceLocation)
            return false
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = process.terminationStatus == 3 || process.terminationStatus == 127
                ? " — install the reference implementation with `pip install protobuf grpcio-tools`" : ""
            Issue.record("reference.py \(arguments.first ?? "") exited \(process.terminationStatus)\(hint):\n\(message)",
                         sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("etcdproto-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Lines of `<name> <hex>...`; an empty message has an empty hex column.
    static func readLines(_ url: URL) throws -> [[Substring]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: false)
        }
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
}

func bytes(fromHex hex: Substring) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
    var result = [UInt8]()
    result.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
        result.append(high << 4 | low)
        index += 2
    }
    return result
}

/// Decodes with Swift and encodes again; the sizes must agree.
private func swiftReencode<M: RandomMessage>(_: M.Type, _ encoded: [UInt8]) throws -> [UInt8] {
    let message = try M(serializedBytes: encoded)
    let reencoded = message.serializedBytes()
    #expect(reencoded.count == message.encodedSize, "\(M.protoName): encodedSize disagrees with the encoding")
    return reencoded
}

/// Decodes the reference's re-encoding of `original` and compares.
private func checkReferenceReencoding<M: RandomMessage>(
    _ original: M, swiftBytes: [UInt8], referenceBytes: [UInt8]
) -> Bool {
    guard let decoded = try? M(serializedBytes: referenceBytes), decoded == original else {
        Issue.record("\(M.protoName): reference re-encoding \(hexString(referenceBytes)) does not decode to the original \(original)")
        return false
    }
    // Both sides write fields in number order, so the bytes must match exactly too.
    guard swiftBytes == referenceBytes else {
        Issue.record("\(M.protoName): Swift wrote \(hexString(swiftBytes)), the reference \(hexString(referenceBytes))")
        return false
    }
    return true
}

@Suite(.serialized) struct DifferentialTests {
    @Test func everyProtoMessageHasASwiftType() throws {
        let directory = try Reference.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = directory.appendingPathComponent("names.txt")
        try #require(Reference.run(["generate", "1", "1", generated.path]))
        let names = Set(try Reference.readLines(generated).map { String($0[0]) })
        #expect(names == Set(Reference.typesByName.keys))
    }

    /// Python builds random messages → Swift decodes and re-encodes → Python parses both and compares.
    @Test func referenceToSwiftToReference() throws {
        let directory = try Reference.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = directory.appendingPathComponent("generated.txt")
        try #require(Reference.run(["generate", String(Reference.seed), String(Reference.iterations), generated.path]))

        var report = ""
        var decodeFailures = 0
        let lines = try Reference.readLines(generated)
        for line in lines {
            let name = String(line[0])
            let type = try #require(Reference.typesByName[name], "no Swift type for \(name)")
            let encoded = try #require(bytes(fromHex: line[1]))
            do {
                let reencoded = try swiftReencode(type, encoded)
                report += "\(name) \(line[1]) \(hexString(reencoded))\n"
            } catch {
                decodeFailures += 1
                Issue.record("\(name): Swift cannot decode the reference encoding \(line[1]): \(error)")
            }
        }
        #expect(lines.count == Reference.iterations * allMessageTypes.count)
        #expect(decodeFailures == 0)
        let checked = directory.appendingPathComponent("check.txt")
        try report.write(to: checked, atomically: false, encoding: .utf8)
        #expect(Reference.run(["check", checked.path]))
    }

    /// Swift builds random messages → Python parses and re-encodes → Swift decodes and compares.
    @Test func swiftToReferenceToSwift() throws {
        let directory = try Reference.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var source = RandomSource(seed: Reference.seed)
        var originals: [any RandomMessage] = []
        var swiftEncodings: [[UInt8]] = []
        var report = ""
        for type in allMessageTypes {
            for _ in 0..<Reference.iterations {
                let message = type.random(using: &source, depth: 0)
                let encoded = message.serializedBytes()
                originals.append(message)
                swiftEncodings.append(encoded)
                report += "\(type.protoName) \(hexString(encoded))\n"
            }
        }
        let input = directory.appendingPathComponent("swift.txt")
        let output = directory.appendingPathComponent("reference.txt")
        try report.write(to: input, atomically: false, encoding: .utf8)
        try #require(Reference.run(["reencode", input.path, output.path]))

        let lines = try Reference.readLines(output)
        try #require(lines.count == originals.count)
        var mismatches = 0
        for (index, line) in lines.enumerated() where mismatches < 5 {
            let referenceBytes = try #require(bytes(fromHex: line[1]))
            if !checkReferenceReencoding(originals[index], swiftBytes: swiftEncodings[index], referenceBytes: referenceBytes) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
}
