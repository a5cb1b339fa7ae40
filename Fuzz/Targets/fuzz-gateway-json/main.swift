import FuzzSupport

@testable import EtcdServer

// A JSON gateway request body: the first byte picks the route (sorted by path, so the corpus
// keeps its meaning), the rest is the body. What parses and converts to protobuf must convert
// back to JSON that parses again; the rest of the input is also read as the route's response
// protobuf, which the gateway turns into JSON.
let routes = GatewayRoute.byPath.sorted { $0.key < $1.key }.map(\.value)

fuzzMain { input in
    guard let selector = input.first else { return }
    let route = routes[Int(selector) % routes.count]
    let body = Array(input.dropFirst())
    if let value = try? JSONReader.wholeValue(body), let protobuf = try? ProtoJSONTranscoder.protobuf(from: value, as: route.request) {
        guard let json = try? protobuf.withUnsafeBytes({ try ProtoJSONTranscoder.json(fromProtobuf: $0, as: route.request) }) else {
            fatalError("\(route.grpcPath): the protobuf converted from JSON does not convert back")
        }
        guard (try? JSONReader.wholeValue(json)) != nil else {
            fatalError("\(route.grpcPath): the gateway writes JSON it cannot read: \(String(decoding: json, as: UTF8.self))")
        }
    }
    if let json = try? body.withUnsafeBytes({ try ProtoJSONTranscoder.json(fromProtobuf: $0, as: route.response) }) {
        guard (try? JSONReader.wholeValue(json)) != nil else {
            fatalError("\(route.grpcPath): the gateway writes JSON it cannot read: \(String(decoding: json, as: UTF8.self))")
        }
    }
}
