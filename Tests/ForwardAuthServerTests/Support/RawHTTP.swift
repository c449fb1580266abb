import ForwardAuth
import Foundation
import NIOCore
import NIOPosix

@testable import ForwardAuthOIDC

/// Raw bytes over TCP to the server under test, for what an HTTP client library does not send: pipelined
/// requests, a body on a check.
enum RawHTTP {
    struct Response {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    /// Sends `requests` in one write on one connection and reads until as many Content-Length-framed
    /// responses arrived (or the server closed, or 10 s passed).
    static func exchange(port: Int, _ requests: [String]) async throws -> [Response] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: requests.joined()))
            return try await withThrowingTaskGroup(of: [Response].self) { group in
                group.addTask {
                    var received: [UInt8] = []
                    var responses: [Response] = []
                    for try await chunk in inbound {
                        received += chunk.readableBytesView
                        responses = parse(received)
                        if responses.count >= requests.count { break }
                    }
                    return responses
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    throw HarnessError("no answer to \(requests.count) pipelined requests within 10 s")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? []
            }
        }
    }

    /// The complete responses at the start of `bytes`.
    static func parse(_ bytes: [UInt8]) -> [Response] {
        var responses: [Response] = []
        var rest = bytes[...]
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while let headEnd = rest.firstRange(of: separator) {
            let lines = String(decoding: rest[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
            let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
            let bodyStart = headEnd.upperBound
            guard rest.distance(from: bodyStart, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.index(bodyStart, offsetBy: length)
            responses.append(
                Response(
                    status: status, headers: headers, body: String(decoding: rest[bodyStart..<bodyEnd], as: UTF8.self)))
            rest = rest[bodyEnd...]
        }
        return responses
    }
}
