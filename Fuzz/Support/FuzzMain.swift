import CLibFuzzer

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The input handler `fuzzMain` was given. libFuzzer calls its callback on the main thread only,
/// one input at a time, so this is written once before the driver starts and only read after.
nonisolated(unsafe) private var inputHandler: ((UnsafeRawBufferPointer) -> Void)?

/// Runs libFuzzer (its usual flags come from the command line) with `handler` called on every
/// input. A target owns `main` this way because SwiftPM links an executable's entry point under
/// its module's name, so libFuzzer's own `main` is never used.
public func fuzzMain(_ handler: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    inputHandler = handler
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
}

/// The callback libFuzzer runs; also exported under the name its own `main` (linked in by
/// `-sanitize=fuzzer`, unused) refers to.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let inputHandler else { fatalError("libFuzzer started without fuzzMain: no input handler") }
    inputHandler(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
