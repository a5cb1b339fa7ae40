import NIOCore
import NIOHTTP1

/// One HTTP/2 stream carrying one gRPC call. Lives on the connection's event loop only.
final class ServerStream: GRPCResponseSink {
    enum Phase {
        /// Request headers still arriving.
        case receivingHeaders
        /// Unary or server-streaming: waiting for the single request message.
        case awaitingRequest(GRPCMethod, GRPCMethodCounters)
        /// Bidirectional: every inbound message goes to the observer.
        case streaming(GRPCRequestObserver)
        /// The request was handed to the handler; further inbound messages are ignored.
        case requestDelivered
        /// The call was refused (bad headers, unknown method) or failed on input; inbound data is dropped.
        case rejected
        /// A plain HTTP request (not gRPC), for the HTTP/1.1 handler: its body is collected whole.
        case plainRequest(HTTP1Handler)
    }

    let id: Int32
    weak var connection: HTTP2ServerHandler?
    var phase: Phase = .receivingHeaders

    // Request headers.
    var method = ""
    var path = ""
    var contentType: String?
    var timeout: String?
    var encoding: String?
    var headers: [(name: String, value: String)] = []
    /// The decoded size of the request headers so far, as SETTINGS_MAX_HEADER_LIST_SIZE counts it.
    var headerListBytes = 0

    // Inbound message bytes not yet deframed, and received bytes not yet returned to the
    // connection and stream flow-control windows.
    var inbound = ByteBuffer()
    var unconsumedConnectionBytes = 0
    var unconsumedStreamBytes = 0
    var inputEnded = false
    var endDelivered = false
    /// Longer request messages fail the call (the method's limit, or the server's).
    var maxReceiveMessageBytes = 0

    var context: GRPCCallContext?
    /// Set once the call counts as started (see `GRPCMethodCounters`): it is counted as handled once.
    var counters: GRPCMethodCounters?
    var writer: GRPCResponseWriter?
    var deadlineTask: Scheduled<Void>?

    // Outbound state.
    var headersSent = false
    /// Framed response bytes not yet handed to nghttp2.
    var pendingOutput = ByteBuffer()
    /// Set once `finish` ran after headers went out: trailers follow the pending output.
    var trailers: GRPCStatus?
    var finished = false
    var dataDeferred = false
    /// More response bytes are buffered than the high water mark: the writer reports not
    /// writable and inbound messages wait.
    var reportedUnwritable = false
    /// Judged from the window the client hands back: more than the configured threshold of
    /// response bytes are still unread by its application.
    var clientBehind = false
    /// The client hands window back once it has read at most 1/this of its initial window.
    var windowReturnDivisor = 2
    var backlogCheckQueued = false
    /// Ends a `clientBehind` during which no window came back (see `clientBacklogTrust`).
    var backlogTimeout: Scheduled<Void>?
    /// No window came back for too long: `clientBehind` stays false until some does.
    var backlogUntrusted = false

    // A plain HTTP response: its body carries no gRPC framing and ends without gRPC trailers.
    /// The body is complete once the pending output is sent; then `plainTrailers`, if any.
    var plainBodyComplete = false
    var plainTrailers: HTTPHeaders?
    /// The plain request's, cancelled if the stream closes before its response is complete.
    var plainCancellation: CallCancellation?

    init(id: Int32, connection: HTTP2ServerHandler) {
        self.id = id
        self.connection = connection
    }

    func write(_ message: ByteBuffer) {
        connection?.sendMessage(message, on: self)
    }

    func finish(_ status: GRPCStatus) {
        connection?.finish(self, status: status, cancelled: false)
    }
}
