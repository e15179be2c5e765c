/// Frames one response out of `buffer`, calling `fill` whenever more bytes are needed; shared by the plain and the
/// TLS test clients, which differ only in how bytes arrive. `bodiless` for answers to HEAD.
func readHTTPResponse(
    from buffer: inout [UInt8], bodiless: Bool = false, fill: (inout [UInt8]) -> Bool
) throws -> TestClient.Response {
    let terminator: [UInt8] = [13, 10, 13, 10]
    var headEnd = 0
    while true {
        if let range = buffer.firstRange(of: terminator) {
            headEnd = range.upperBound
            break
        }
        guard fill(&buffer) else { throw TestClient.Failure(description: "closed before a response head") }
    }
    let headText = String(decoding: buffer[0..<headEnd - 4], as: UTF8.self)
    var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
        throw TestClient.Failure(description: "bad status line \(headText)")
    }
    let headers = lines.map { line -> (String, String) in
        let parts = line.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
    }
    buffer.removeFirst(headEnd)
    var response = TestClient.Response(status: status, headers: headers, body: [])
    if bodiless || status < 200 || status == 204 || status == 304 { return response }
    let length = Int(response.header("Content-Length") ?? "0") ?? 0
    while buffer.count < length {
        guard fill(&buffer) else { throw TestClient.Failure(description: "closed inside a body") }
    }
    response.body = Array(buffer[0..<length])
    buffer.removeFirst(length)
    return response
}
