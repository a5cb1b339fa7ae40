import EtcdProto
import NIOCore
import ProtoWire

/// One `mvccpb.Event`, encoded once and copied into every response that carries it.
struct EncodedEvent: Sendable {
    let revision: Int64
    /// The event message's bytes (no field tag, no length).
    let bytes: ByteBuffer

    init(_ event: Event, includePrevKv: Bool) {
        var event = event
        if !includePrevKv { event.prevKv = nil }
        self.revision = event.kv?.modRevision ?? 0
        self.bytes = event.responseBody(allocator: ByteBufferAllocator())
    }

    /// Size of the event as field 11 of a `WatchResponse`.
    var fieldSize: Int { 1 + ProtoSize.lengthDelimited(bytes.readableBytes) }
}

/// Encodes `WatchResponse`s with this member's header, splicing pre-encoded events in.
struct WatchResponseEncoder: Sendable {
    let clusterID: UInt64
    let memberID: UInt64
    /// The term in every header is the current one, read when the response is encoded.
    let consensus: ConsensusStatus
    /// etcd fragments a response at `--max-request-bytes` plus gRPC overhead.
    let fragmentThreshold: Int

    func header(revision: Int64) -> ResponseHeader {
        ResponseHeader(clusterId: clusterID, memberId: memberID, revision: revision, raftTerm: consensus.term)
    }

    /// A response without events (created, canceled, compacted, progress).
    func control(_ response: WatchResponse, revision: Int64) -> ByteBuffer {
        var response = response
        response.header = header(revision: revision)
        return response.responseBody(allocator: ByteBufferAllocator())
    }

    /// The responses carrying `events` for one watcher: one, or — for a watcher that asked for
    /// fragments — several when it exceeds the threshold, split by etcd's rule (`sendFragments`:
    /// a fragment holds at least one event and otherwise stays under the threshold).
    func eventResponses(
        watchID: Int64, revision: Int64, events: ArraySlice<EncodedEvent>, fragment: Bool, into output: inout [ByteBuffer]
    ) {
        let headerBytes = header(revision: revision)
        let baseSize = 1 + ProtoSize.lengthDelimited(headerBytes.encodedSize)
            + (watchID != 0 ? 1 + ProtoSize.int64(watchID) : 0)
        let eventsSize = events.reduce(0) { $0 + $1.fieldSize }
        if !fragment || baseSize + eventsSize < fragmentThreshold || events.count < 2 {
            output.append(encode(header: headerBytes, watchID: watchID, fragment: false, events: events, size: baseSize + eventsSize))
            return
        }
        let fragmentBase = baseSize + 2
        var start = events.startIndex
        while start < events.endIndex {
            var end = start
            var size = fragmentBase
            while end < events.endIndex {
                let grown = size + events[end].fieldSize
                if end > start && grown >= fragmentThreshold { break }
                size = grown
                end += 1
            }
            let isLast = end == events.endIndex
            output.append(encode(
                header: headerBytes, watchID: watchID, fragment: !isLast, events: events[start..<end],
                size: isLast ? size - 2 : size))
            start = end
        }
    }

    private func encode(
        header: ResponseHeader, watchID: Int64, fragment: Bool, events: ArraySlice<EncodedEvent>, size: Int
    ) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = ProtoWriter(raw)
            writer.writeMessageField(1, header)
            if watchID != 0 { writer.writeInt64Field(2, watchID) }
            if fragment { writer.writeBoolField(7, true) }
            for event in events {
                writer.writeTag(11, .lengthDelimited)
                writer.writeVarint(UInt64(event.bytes.readableBytes))
                event.bytes.withUnsafeReadableBytes { writer.writeRawBytes($0) }
            }
            return writer.count
        }
        return buffer
    }
}
