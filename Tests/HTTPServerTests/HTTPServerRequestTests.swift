import HTTPTypes
import Testing

@testable import HTTPServer

/// The request the handler sees, built from raw bytes as the connection builds it.
private func parsed(_ raw: String) throws -> HTTPServerRequest {
    var parser = HTTPRequestParser()
    let bytes = Array(raw.utf8)
    let (_, step) = bytes.withUnsafeBufferPointer { parser.parse($0) }
    #expect(step == .headComplete || step == .messageComplete)
    let head = RequestHeadBytes(taking: &parser)
    return HTTPServerRequest(parsedHead: head, body: [], isHEAD: parser.head.isHEAD)
}

@Suite struct HTTPServerRequestTests {
    @Test func originFormGivesMethodAndPathWithQuery() throws {
        let request = try parsed("DELETE /v1/sessions/abc?force=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(request.method == .delete)
        #expect(request.path == "/v1/sessions/abc?force=1")
        #expect(request.withPath { Array($0) } == Array("/v1/sessions/abc?force=1".utf8))
        #expect(!request.isHEAD)
    }

    @Test func headArrivesAsGetWithIsHEAD() throws {
        let request = try parsed("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(request.method == .get)
        #expect(request.isHEAD)
        #expect(request.head.method == .get)
    }

    @Test func queryMethodKeepsItsName() throws {
        let request = try parsed("QUERY /q HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
        #expect(request.method.rawValue == "QUERY")
    }

    @Test func headerLookupIgnoresCaseOfTheName() throws {
        let request = try parsed(
            "POST /x HTTP/1.1\r\nhOsT: h\r\ncontent-TYPE: application/json\r\nX-REQUEST-ID: abc-1\r\n"
                + "Content-Length: 0\r\n\r\n")
        #expect(request.headerValue(.contentType) == "application/json")
        #expect(request.headerValue(HTTPField.Name("x-request-id")!) == "abc-1")
        #expect(request.headerValue(.accept) == nil)
        #expect(request.withHeaderValue(.contentType) { $0.map { Array($0) } } == Array("application/json".utf8))
        #expect(request.withHeaderValue(.accept) { $0 == nil })
    }

    @Test func headerValueHasNoSurroundingWhitespace() throws {
        let request = try parsed("GET /x HTTP/1.1\r\nHost: h\r\nAccept: \t text/plain  \t\r\n\r\n")
        #expect(request.headerValue(.accept) == "text/plain")
    }

    @Test func repeatedFieldsJoinAsHTTPFieldsJoinsThem() throws {
        let request = try parsed(
            "GET /x HTTP/1.1\r\nHost: h\r\nAccept: a/b\r\nCookie: x=1\r\naccept: c/d\r\nCookie: y=2\r\n\r\n")
        #expect(request.headerValue(.accept) == "a/b, c/d")
        #expect(request.headerValue(.cookie) == "x=1; y=2")
        #expect(request.head.headerFields[.accept] == "a/b, c/d")
    }

    @Test func emptyValueIsPresentAndEmpty() throws {
        let request = try parsed("GET /x HTTP/1.1\r\nHost: h\r\nX-Empty:\r\n\r\n")
        #expect(request.headerValue(HTTPField.Name("X-Empty")!) == "")
    }

    @Test func headCarriesEveryFieldInOrderWithHostAsAuthority() throws {
        let request = try parsed(
            "PUT /a/b?c HTTP/1.1\r\nHost: example.com:8080\r\nX-One: 1\r\nContent-Length: 0\r\n\r\n")
        let head = request.head
        #expect(head.method == .put)
        #expect(head.path == "/a/b?c")
        #expect(head.scheme == nil)
        #expect(head.authority == "example.com:8080")
        #expect(head.headerFields.map(\.name.canonicalName) == ["host", "x-one", "content-length"])
        #expect(head.headerFields.map(\.value) == ["example.com:8080", "1", "0"])
    }

    @Test func absoluteFormTargetSplitsIntoSchemeAuthorityAndPath() throws {
        let request = try parsed("GET HTTP://Example.com:81/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n")
        #expect(request.path == "/p?q=1")
        #expect(request.head.scheme == "http")
        #expect(request.head.authority == "Example.com:81")
    }

    @Test func absoluteFormWithoutPathGetsASlash() throws {
        #expect(try parsed("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n").path == "/")
        #expect(try parsed("GET https://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").path == "/?x=1")
    }

    @Test func asteriskTargetIsTheStar() throws {
        #expect(try parsed("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").path == "*")
    }

    @Test func removingFieldsDropsEveryLineWithTheName() throws {
        var request = try parsed(
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nX-A: 1\r\ncontent-encoding: br\r\n"
                + "Content-Length: 0\r\n\r\n")
        request.removeHeaderFields(.contentEncoding)
        #expect(request.headerValue(.contentEncoding) == nil)
        #expect(request.headerValue(HTTPField.Name("X-A")!) == "1")
        #expect(request.path == "/x")
        #expect(request.head.headerFields.map(\.name.canonicalName) == ["host", "x-a", "content-length"])
    }

    @Test func requestBuiltFromHTTPRequestReadsTheSame() {
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: "localhost", path: "/v1/sessions",
            headerFields: [.contentType: "application/json", .authorization: "Bearer k"])
        let request = HTTPServerRequest(head: head, body: Array("{}".utf8))
        #expect(request.method == .post)
        #expect(request.path == "/v1/sessions")
        #expect(request.headerValue(.authorization) == "Bearer k")
        #expect(request.head == head)
        #expect(request.body == Array("{}".utf8))
    }

    @Test func settingTheHeadReplacesIt() {
        var request = HTTPServerRequest(
            head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/a"), body: [])
        request.head.headerFields[.accept] = "text/plain"
        #expect(request.headerValue(.accept) == "text/plain")
        #expect(request.path == "/a")
    }

    @Test func obsTextValueKeepsItsBytes() throws {
        var raw = Array("GET /x HTTP/1.1\r\nHost: h\r\nX-Raw: a".utf8)
        raw += [0xE9, 0xFF]
        raw += Array("\r\n\r\n".utf8)
        var parser = HTTPRequestParser()
        let (_, step) = raw.withUnsafeBufferPointer { parser.parse($0) }
        #expect(step == .headComplete || step == .messageComplete)
        let request = HTTPServerRequest(parsedHead: RequestHeadBytes(taking: &parser), body: [], isHEAD: false)
        #expect(request.withHeaderValue(HTTPField.Name("X-Raw")!) { $0.map { Array($0) } } == [0x61, 0xE9, 0xFF])
    }

    @Test func headBufferGivenBackServesTheNextRequest() {
        var parser = HTTPRequestParser()
        let first = Array("GET /first HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n".utf8)
        _ = first.withUnsafeBufferPointer { parser.parse($0) }
        var request = HTTPServerRequest(parsedHead: RequestHeadBytes(taking: &parser), body: [], isHEAD: false)
        #expect(request.path == "/first")
        #expect(parser.bytes(parser.target).isEmpty)
        parser.recycleHeadBytes(request.takeHeadStorage())
        #expect(request.path == "")
        #expect(request.headerValue(HTTPField.Name("X-A")!) == nil)
        parser.reset()
        let second = Array(
            "POST /second?x HTTP/1.1\r\nHost: b\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n".utf8)
        let (_, step) = second.withUnsafeBufferPointer { parser.parse($0) }
        #expect(step == .headComplete)
        let next = HTTPServerRequest(parsedHead: RequestHeadBytes(taking: &parser), body: [], isHEAD: false)
        #expect(next.method == .post)
        #expect(next.path == "/second?x")
        #expect(next.headerValue(.contentType) == "text/plain")
        #expect(next.head.authority == "b")
    }

    @Test func parserWhoseBufferWasKeptParsesTheNextRequest() {
        var parser = HTTPRequestParser()
        let first = Array("GET /kept HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        _ = first.withUnsafeBufferPointer { parser.parse($0) }
        let kept = HTTPServerRequest(parsedHead: RequestHeadBytes(taking: &parser), body: [], isHEAD: false)
        parser.reset()
        let second = Array("GET /other HTTP/1.1\r\nHost: b\r\n\r\n".utf8)
        let (_, step) = second.withUnsafeBufferPointer { parser.parse($0) }
        #expect(step == .headComplete)
        let next = HTTPServerRequest(parsedHead: RequestHeadBytes(taking: &parser), body: [], isHEAD: false)
        #expect(kept.path == "/kept")
        #expect(kept.head.authority == "a")
        #expect(next.path == "/other")
    }
}
