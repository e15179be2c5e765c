import Testing

@testable import HTTPServer

@Suite struct HTTPRequestParserValidRequestTests {
    @Test func simpleGETIsParsedWithFieldsInOrder() {
        let outcome = parseEverySplit("GET /items?id=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n")
        guard case .request(let method, let target, let fields, let body, let info, _) = outcome else {
            Issue.record("unexpected \(String(describing: outcome))")
            return
        }
        #expect(method == "GET")
        #expect(target == "/items?id=1")
        #expect(fields == ["Host=example.com", "Accept=*/*"])
        #expect(body == "")
        #expect(info.keepAlive)
        #expect(info.framing == .none)
    }

    @Test func fieldValueWhitespaceIsTrimmedButInnerSpaceKept() {
        let outcome = parseEverySplit("GET / HTTP/1.1\r\nHost:  a \t\r\nX-Y:\tb  c \r\nEmpty:\r\n\r\n")
        guard case .request(_, _, let fields, _, _, _) = outcome else {
            Issue.record("unexpected \(String(describing: outcome))")
            return
        }
        #expect(fields == ["Host=a", "X-Y=b  c", "Empty="])
    }

    @Test func leadingEmptyLineBeforeRequestLineIsIgnored() {
        #expect(parseEverySplit("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")?.info != nil)
    }

    @Test func contentLengthBodyIsReadExactly() {
        let outcome = parseEverySplit("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET")
        guard case .request(_, _, _, let body, let info, let consumed) = outcome else {
            Issue.record("unexpected \(String(describing: outcome))")
            return
        }
        #expect(body == "hello")
        #expect(info.framing == .length(5))
        #expect(consumed == 53)  // the pipelined "GET" stays unconsumed
    }

    @Test func chunkedBodyWithExtensionsAndTrailersIsDecoded() {
        let raw =
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n"
        guard case .request(_, _, _, let body, let info, _) = parseEverySplit(raw) else {
            Issue.record("not parsed")
            return
        }
        #expect(body == "hello world")
        #expect(info.framing == .chunked)
    }

    @Test func uppercaseHexChunkSizeIsAccepted() {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"
        guard case .request(_, _, _, let body, _, _) = parseEverySplit(raw) else {
            Issue.record("not parsed")
            return
        }
        #expect(body == "0123456789")
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() {
        #expect(parseEverySplit("GET / HTTP/1.0\r\n\r\n")?.info?.keepAlive == false)
        #expect(parseEverySplit("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.info?.keepAlive == true)
    }

    @Test func connectionCloseEndsPersistence() {
        #expect(
            parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n")?.info?.keepAlive == false)
    }

    @Test func expectContinueIsNotedForRequestsWithBodyOnHTTP11Only() {
        #expect(
            parseEverySplit("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")?.info?
                .expectContinue == true)
        #expect(
            parseEverySplit("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")?.info?
                .expectContinue == false)
        #expect(
            parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")?.info?.expectContinue == false)
    }

    @Test func absoluteFormAndAsteriskFormAreAccepted() {
        #expect(
            parseEverySplit("GET http://example.com/a HTTP/1.1\r\nHost: other\r\n\r\n")?.info?.targetForm == .absolute)
        #expect(parseEverySplit("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")?.info?.targetForm == .asterisk)
    }

    @Test func acceptEncodingGzipIsRecognisedUnlessWeightIsZero() {
        #expect(
            parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br, gzip;q=0.5\r\n\r\n")?.info?.acceptsGzip
                == true)
        #expect(
            parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0\r\n\r\n")?.info?.acceptsGzip
                == false)
        #expect(
            parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity\r\n\r\n")?.info?.acceptsGzip
                == false)
    }

    @Test func explicitGzipWeightWinsOverTheWildcard() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "
        #expect(parseEverySplit(head + "gzip;q=0, *\r\n\r\n")?.info?.acceptsGzip == false)
        #expect(parseEverySplit(head + "*;q=0, gzip\r\n\r\n")?.info?.acceptsGzip == true)
        #expect(parseEverySplit(head + "br, *\r\n\r\n")?.info?.acceptsGzip == true)
    }

    @Test func headIsFlagged() {
        #expect(parseEverySplit("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")?.info?.isHEAD == true)
    }

    @Test func resetAllowsTheNextPipelinedRequest() {
        var parser = HTTPRequestParser()
        let bytes = Array("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        var offset = 0
        var targets: [String] = []
        while true {
            let (consumed, step) = bytes.withUnsafeBufferPointer {
                parser.parse(UnsafeBufferPointer(rebasing: $0[offset...]))
            }
            offset += consumed
            if step == .messageComplete {
                targets.append(String(decoding: parser.bytes(parser.target), as: UTF8.self))
                parser.reset()
            } else if step == .needMore {
                break
            }
        }
        #expect(targets == ["/1", "/2"])
    }
}

@Suite struct HTTPRequestParserRejectionTests {
    @Test func hostRules() {
        #expect(failure("GET / HTTP/1.1\r\n\r\n") == .missingHost)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == .duplicateHost)
        #expect(failure("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") == .invalidHost)
        #expect(failure("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n") == .invalidHost)
        #expect(failure("GET http://x/ HTTP/1.1\r\n\r\n") == .missingHost)
    }

    @Test func contentLengthMustBeOneDecimalNumber() {
        let prefix = "POST / HTTP/1.1\r\nHost: a\r\n"
        #expect(failure(prefix + "Content-Length: +5\r\n\r\nhello") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: -1\r\n\r\n") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: 0x5\r\n\r\n") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: 5, 5\r\n\r\n") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: \r\n\r\n") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: 99999999999999999999999999\r\n\r\n") == .invalidContentLength)
        #expect(failure(prefix + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello") == .duplicateContentLength)
    }

    @Test func smugglingShapesAreRefused() {
        let prefix = "POST / HTTP/1.1\r\nHost: a\r\n"
        #expect(
            failure(prefix + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                == .contentLengthWithTransferEncoding)
        #expect(failure("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == .transferEncodingOnHTTP10)
        #expect(failure(prefix + "Transfer-Encoding: chunked, gzip\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding: chunked,\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding: ,chunked\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding: ch nked\r\n\r\n") == .chunkedNotFinal)
        #expect(
            failure(prefix + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding: identity\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding: \"chunked\"\r\n\r\n") == .chunkedNotFinal)
        #expect(failure(prefix + "Transfer-Encoding : chunked\r\n\r\n") == .whitespaceBeforeColon)
        #expect(failure(prefix + "Transfer-Encoding: chun\u{212A}ed\r\n\r\n") == .chunkedNotFinal)
    }

    @Test func unknownTransferCodingIsNotImplemented() {
        #expect(
            failure("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                == .transferCodingNotImplemented)
        #expect(HTTPParseError.transferCodingNotImplemented.status == 501)
    }

    @Test func chunkSyntaxIsStrict() {
        let prefix = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(failure(prefix + "FFFFFFFFFFFFFFFFF\r\n") == .invalidChunkSize)
        #expect(failure(prefix + "+a\r\n") == .invalidChunkSize)
        #expect(failure(prefix + "\r\n") == .invalidChunkSize)
        #expect(failure(prefix + "5\r\nhelloX\r\n") == .invalidChunkTerminator)
        #expect(failure(prefix + "5\nhello\r\n0\r\n\r\n") == .bareLF)
        #expect(failure(prefix + "5;a=b\nc\r\nhello\r\n0\r\n\r\n") == .bareLF)
        #expect(failure(prefix + "5;" + String(repeating: "x", count: 2000) + "\r\n") == .invalidChunkExtension)
        #expect(failure(prefix + "5;\u{1}\r\n") == .invalidChunkExtension)
        #expect(
            failure(prefix + "0\r\nX: " + String(repeating: "y", count: 5000) + "\r\n\r\n") == .trailerSectionTooLarge)
        #expect(failure(prefix + "0\r\n folded\r\n\r\n") == .obsoleteLineFolding)
        #expect(failure(prefix + "0\r\nNoColon\r\n\r\n") == .invalidTrailer)
    }

    @Test func fieldSyntaxIsStrict() {
        let prefix = "GET / HTTP/1.1\r\nHost: a\r\n"
        #expect(failure(prefix + "X-A: 1\r\n folded\r\n\r\n") == .obsoleteLineFolding)
        #expect(failure("GET / HTTP/1.1\r\n Host: a\r\n\r\n") == .obsoleteLineFolding)
        #expect(failure(prefix + "X-A : 1\r\n\r\n") == .whitespaceBeforeColon)
        #expect(failure(prefix + "X-A\t: 1\r\n\r\n") == .whitespaceBeforeColon)
        #expect(failure(prefix + ": 1\r\n\r\n") == .invalidFieldName)
        #expect(failure(prefix + "X@A: 1\r\n\r\n") == .invalidFieldName)
        #expect(failure(prefix + "X-A: a\u{0}b\r\n\r\n") == .invalidFieldValue)
        #expect(failure(prefix + "X-A: a\u{1}b\r\n\r\n") == .invalidFieldValue)
        #expect(failure(prefix + "X-A: a\u{7F}b\r\n\r\n") == .invalidFieldValue)
        #expect(failure(prefix + "X-A: a\rb\r\n\r\n") == .bareCR)
        #expect(failure(prefix + "X-A: a\nX-B: b\r\n\r\n") == .bareLF)
        #expect(failure("GET / HTTP/1.1\nHost: a\n\n") == .bareLF)
        #expect(failure(prefix + "\n") == .bareLF)
        #expect(failure(prefix + "\rX") == .bareCR)
    }

    @Test func requestLineSyntaxIsStrict() {
        #expect(failure("GET /\r\n\r\n") == .badRequestLine)  // HTTP/0.9
        #expect(failure("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestLine)
        #expect(failure("GET / http/1.1\r\nHost: a\r\n\r\n") == .badRequestLine)
        #expect(failure("GET / HTTP/1.10\r\nHost: a\r\n\r\n") == .badRequestLine)
        #expect(failure("GET / HTTP/1.1 \r\nHost: a\r\n\r\n") == .badRequestLine)
        #expect(failure(" GET / HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestLine)
        #expect(failure("GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestTarget)
        #expect(failure("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestTarget)
        #expect(failure("GET a HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestTarget)
        #expect(failure("GET * HTTP/1.1\r\nHost: a\r\n\r\n") == .badRequestTarget)
        #expect(failure("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n") == .tooManyEmptyLines)
    }

    @Test func versionsOtherThan1xAreNotSupported() {
        #expect(failure("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == .versionNotSupported)
        #expect(failure("GET / HTTP/0.9\r\nHost: a\r\n\r\n") == .versionNotSupported)
        #expect(HTTPParseError.versionNotSupported.status == 505)
    }

    @Test func unknownMethodsAreNotImplemented() {
        #expect(failure("FOO / HTTP/1.1\r\nHost: a\r\n\r\n") == .methodNotImplemented)
        #expect(failure("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n") == .methodNotImplemented)
        #expect(failure("get / HTTP/1.1\r\nHost: a\r\n\r\n") == .methodNotImplemented)
        #expect(failure(String(repeating: "G", count: 17) + " / HTTP/1.1\r\n") == .methodNotImplemented)
        #expect(HTTPParseError.methodNotImplemented.status == 501)
    }

    @Test func http10BodyMethodsWithoutContentLengthNeedALength() {
        #expect(failure("POST / HTTP/1.0\r\n\r\n") == .lengthRequired)
        #expect(HTTPParseError.lengthRequired.status == 411)
        #expect(parseEverySplit("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")?.info != nil)
        #expect(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\n\r\n")?.info?.framing == BodyFraming.none)
    }

    @Test func unknownExpectationIsRefused() {
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n") == .unsupportedExpectation)
        #expect(HTTPParseError.unsupportedExpectation.status == 417)
    }
}

@Suite struct HTTPRequestParserLimitTests {
    let small = HTTPParserLimits(
        maxRequestLineBytes: 64, maxHeaderSectionBytes: 64, maxHeaderCount: 3, maxBodyBytes: 10,
        maxChunkLineBytes: 16, maxTrailerSectionBytes: 16)

    @Test func requestLineAtTheLimitIsAcceptedAndOneMoreIs414() {
        // "GET " + target + " HTTP/1.1\r\n" = 15 + target bytes.
        let fits = "/" + String(repeating: "a", count: 48)
        #expect(parseEverySplit("GET \(fits) HTTP/1.1\r\nHost: a\r\n\r\n", limits: small)?.info != nil)
        #expect(failure("GET \(fits)a HTTP/1.1\r\nHost: a\r\n\r\n", limits: small) == .requestTargetTooLong)
        #expect(HTTPParseError.requestTargetTooLong.status == 414)
    }

    @Test func headerSectionOverTheLimitIs431() {
        let value = String(repeating: "v", count: 60)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nX: \(value)\r\n\r\n", limits: small) == .headerSectionTooLarge)
        #expect(HTTPParseError.headerSectionTooLarge.status == 431)
    }

    @Test func headerCountOverTheLimitIs431() {
        #expect(parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits: small)?.info != nil)
        #expect(
            failure("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: small) == .tooManyHeaderFields)
    }

    @Test func contentLengthOverTheLimitIs413BeforeAnyBodyByte() {
        #expect(
            parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits: small)?.info
                != nil)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: small) == .bodyTooLarge)
        #expect(HTTPParseError.bodyTooLarge.status == 413)
    }

    @Test func chunkedBodyOverTheLimitIs413() {
        let prefix = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(failure(prefix + "6\r\nabcdef\r\n5\r\n", limits: small) == .bodyTooLarge)
        #expect(failure(prefix + "fffffffffffffff\r\n", limits: small) == .bodyTooLarge)
    }
}
