/// A protobuf message with a hand-written codec.
///
/// Conformers write `encodedSize`, `encode(to:)` and `merge(from:)` as straight-line code;
/// everything else comes from the extension below.
public protocol ProtoMessage: Sendable, Equatable {
    init()
    /// Exact number of bytes `encode(to:)` writes.
    var encodedSize: Int { get }
    func encode(to writer: inout ProtoWriter)
    /// Reads fields until the reader's end, overwriting scalars and merging submessages
    /// (protobuf's semantics for a field that occurs more than once).
    mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError)
    init(from reader: inout ProtoReader) throws(ProtoDecodingError)
}

extension ProtoMessage {
    @inlinable
    public init(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init()
        try merge(from: &reader)
    }

    @inlinable
    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
        var reader = ProtoReader(bytes)
        try self.init(from: &reader)
    }

    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        // withUnsafeBytes only rethrows untyped errors, so carry the typed one out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(ProtoDecodingError) -> Self in try Self(serializedBytes: buffer) }
        }
        self = try result.get()
    }

    /// Encodes into `buffer`, which must hold at least `encodedSize` bytes; returns bytes written.
    @inlinable
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var writer = ProtoWriter(buffer)
        encode(to: &writer)
        return writer.count
    }

    @inlinable
    public func serializedBytes() -> [UInt8] {
        let size = encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            initializedCount = serialize(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }
}

/// A proto3 (open) enum: any Int32 is representable, so values this code does not name survive
/// a decode/encode round trip.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable where RawValue == Int32 {
    init(rawValue: Int32)
}
