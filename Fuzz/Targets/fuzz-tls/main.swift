import FuzzServerSupport
import FuzzSupport
import GRPCTransport
import Glibc

// TLS records from a client, into the server's OpenSSL handler (memory BIOs) in front of the
// protocol sniffer, as an https client URL serves. Random records do not complete a handshake,
// so this exercises the ClientHello and alert paths and how the handler fails a connection;
// what lies behind the handshake is the other targets' part. The first byte picks the read size.
let tlsContext: TLSContext = {
    let certificate = try! SelfSignedCertificate.generate(hosts: ["127.0.0.1"])
    let directory = "/dev/shm/fuzz-tls.\(getpid())"
    mkdir(directory, 0o700)
    let certificatePath = directory + "/server.crt"
    let keyPath = directory + "/server.key"
    for (path, bytes) in [(certificatePath, certificate.certificatePEM), (keyPath, certificate.privateKeyPEM)] {
        let file = fopen(path, "w")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    let context = try! TLSContext(server: GRPCTLSConfiguration(certificateChainFile: certificatePath, privateKeyFile: keyPath))
    unlink(certificatePath)
    unlink(keyPath)
    rmdir(directory)
    return context
}()

fuzzMain { input in
    guard let selector = input.first else { return }
    let connection = EmbeddedServerConnection(router: echoRouter(), http1Handler: echoHTTP1Handler, tls: tlsContext)
    let bytes = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let readSize = selector == 0 ? max(bytes.count, 1) : Int(selector) * 8
    connection.receive(bytes, inReadsOf: readSize)
    connection.close()
}
