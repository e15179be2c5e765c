import HTTPTypes
import Testing

@testable import HTTPServer

@Suite struct ResponseEncoderTests {
    let date = Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)

    func encode(
        _ status: HTTPResponse.Status, fields: HTTPFields = [:], body: Int = 5, keepAlive: Bool = true,
        http10: Bool = false, isHEAD: Bool = false
    ) -> (String, Bool) {
        var out: [UInt8] = []
        let sendsBody = ResponseEncoder.encodeHead(
            status: status, fields: fields, bodyCount: body,
            framing: .init(keepAlive: keepAlive, http10: http10, isHEAD: isHEAD), date: date, into: &out)
        return (String(decoding: out, as: UTF8.self), sendsBody)
    }

    @Test func dateIsIMFFixdate() {
        #expect(String(decoding: DateCache.format(784_111_777), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(String(decoding: DateCache.format(0), as: UTF8.self) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func okResponseHasDateAndLengthAndApplicationFields() {
        let (head, sendsBody) = encode(.ok, fields: [.contentType: "text/plain"])
        #expect(
            head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Length: 5\r\n\r\n")
        #expect(sendsBody)
    }

    @Test func contentTypeAndRequestIDPropertiesFollowTheFieldsAndReplaceTheirOwn() {
        var out: [UInt8] = []
        let fields: HTTPFields = [
            .contentType: "text/plain", .location: "/x", HTTPServerResponse.requestIDName: "old",
        ]
        ResponseEncoder.encodeHead(
            status: .created, fields: fields, contentType: "application/json", requestID: "ab-1", bodyCount: 2,
            framing: .init(keepAlive: true, http10: false, isHEAD: false), date: date, into: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Type: application/json\r\n"
                + "X-Request-Id: ab-1\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\n")
    }

    @Test func contentTypeAndRequestIDPropertiesAreSanitised() {
        var out: [UInt8] = []
        ResponseEncoder.encodeHead(
            status: .ok, fields: [:], contentType: "a\r\nSet-Cookie: x=1", requestID: "r\n1", bodyCount: 0,
            framing: .init(keepAlive: true, http10: false, isHEAD: false), date: date, into: &out)
        let head = String(decoding: out, as: UTF8.self)
        #expect(head.contains("Content-Type: a  Set-Cookie: x=1\r\n"))
        #expect(head.contains("X-Request-Id: r 1\r\n"))
    }

    @Test func allHeaderFieldsShowThePropertiesAsFields() {
        var response = HTTPServerResponse(
            status: .ok, headerFields: [.contentType: "text/plain", .location: "/x"], contentType: "application/json")
        response.requestID = "id-7"
        #expect(
            response.allHeaderFields.map { "\($0.name.canonicalName)=\($0.value)" } == [
                "location=/x", "content-type=application/json", "x-request-id=id-7",
            ])
    }

    @Test func applicationFramingFieldsAreReplacedByTheServers() {
        let fields: HTTPFields = [
            .contentLength: "999", .transferEncoding: "chunked", .connection: "upgrade", .date: "yesterday",
        ]
        let (head, _) = encode(.ok, fields: fields, keepAlive: false)
        #expect(
            head == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\n")
    }

    @Test func headKeepsTheLengthButSendsNoBody() {
        let (head, sendsBody) = encode(.ok, body: 42, isHEAD: true)
        #expect(head.contains("Content-Length: 42\r\n"))
        #expect(!sendsBody)
    }

    @Test func noContentAndNotModifiedHaveNoLengthAndNoBody() {
        for status in [HTTPResponse.Status.noContent, .notModified] {
            let (head, sendsBody) = encode(status)
            #expect(!head.contains("Content-Length"))
            #expect(!sendsBody)
        }
    }

    @Test func http10KeepAliveIsSaidExplicitly() {
        #expect(encode(.ok, http10: true).0.contains("Connection: keep-alive\r\n"))
        #expect(!encode(.ok, http10: false).0.contains("Connection:"))
    }

    @Test func controlCharactersInValuesBecomeSpaces() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("X-A")!, lenientValue: Array("a\r\nb\u{0}c".utf8)))
        let (head, _) = encode(.ok, fields: fields)
        #expect(head.contains("X-A: a  b c\r\n"))
    }

    @Test func errorResponseIsBodilessAndCloses() {
        var out: [UInt8] = []
        ResponseEncoder.encodeError(status: 431, date: date, body: nil, into: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "HTTP/1.1 431 Request Header Fields Too Large\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func errorResponseCarriesTheApplicationsBodyHead() {
        var out: [UInt8] = []
        let body = HTTPServerConfiguration.ErrorBody(
            contentType: "application/problem+json", bytes: Array(#"{"status":413}"#.utf8))
        ResponseEncoder.encodeError(status: 413, date: date, body: body, into: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "HTTP/1.1 413 Content Too Large\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Type: application/problem+json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n")
    }
}

@Suite struct GzipTests {
    @Test func roundTrip() throws {
        let original = Array("to be or not to be, ".utf8) + Array(repeating: 7, count: 3000)
        let compressed = try #require(Gzip.compress(original, level: 5))
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        #expect(try Gzip.decompress(compressed, limit: original.count).get() == original)
    }

    @Test func inflationStopsAtTheLimit() throws {
        let compressed = try #require(Gzip.compress([UInt8](repeating: 0, count: 100_000), level: 9))
        #expect(Gzip.decompress(compressed, limit: 99_999) == .failure(.tooLarge))
    }

    @Test func truncatedOrTrailingGarbageIsCorrupt() throws {
        let compressed = try #require(Gzip.compress(Array(repeating: 1, count: 5000), level: 5))
        #expect(Gzip.decompress(Array(compressed.dropLast(4)), limit: 1 << 20) == .failure(.corrupt))
        #expect(Gzip.decompress(compressed + [1, 2, 3], limit: 1 << 20) == .failure(.corrupt))
        #expect(Gzip.decompress(Array("not gzip".utf8), limit: 1 << 20) == .failure(.corrupt))
    }
}
