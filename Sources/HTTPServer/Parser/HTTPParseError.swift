/// Why the parser refused a request. Each reason maps to exactly one status code, so the error response follows
/// from the reason alone; after any of them the connection is closed (RFC 9112 §9.6, lingering close).
package enum HTTPParseError: Error, Equatable, Sendable {
    // 400: malformed syntax or framing.
    case badRequestLine
    case badRequestTarget
    case bareCR
    case bareLF
    case invalidFieldName
    case whitespaceBeforeColon
    case obsoleteLineFolding
    case invalidFieldValue
    case missingHost
    case duplicateHost
    case invalidHost
    case invalidContentLength
    case duplicateContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingOnHTTP10
    case chunkedNotFinal
    case invalidChunkSize
    case invalidChunkExtension
    case invalidChunkTerminator
    case invalidTrailer
    case tooManyEmptyLines
    case invalidContentEncoding
    // 411
    case lengthRequired
    // 413
    case bodyTooLarge
    // 414
    case requestTargetTooLong
    // 417
    case unsupportedExpectation
    // 431
    case headerSectionTooLarge
    case tooManyHeaderFields
    case trailerSectionTooLarge
    // 501
    case methodNotImplemented
    case transferCodingNotImplemented
    // 505
    case versionNotSupported
    // 415 (raised after parsing, by the body decoder)
    case unsupportedContentEncoding

    /// The status code to answer with.
    package var status: Int {
        switch self {
        case .lengthRequired: 411
        case .bodyTooLarge: 413
        case .requestTargetTooLong: 414
        case .unsupportedContentEncoding: 415
        case .unsupportedExpectation: 417
        case .headerSectionTooLarge, .tooManyHeaderFields, .trailerSectionTooLarge: 431
        case .methodNotImplemented, .transferCodingNotImplemented: 501
        case .versionNotSupported: 505
        default: 400
        }
    }
}
