/// Hard limits applied while parsing; each is checked before the bytes that would exceed it are kept.
package struct HTTPParserLimits: Sendable, Equatable {
    /// Bytes of the request line including CRLF (RFC 9112 §3 recommends supporting at least 8000).
    package var maxRequestLineBytes: Int
    /// Bytes of all field lines after the request line, including their CRLFs and the final empty line.
    package var maxHeaderSectionBytes: Int
    package var maxHeaderCount: Int
    /// Bytes of the decoded body (after removing chunked framing, before any content decoding).
    package var maxBodyBytes: Int
    /// Bytes of one chunk size line after the size (extensions are ignored, but bounded).
    package var maxChunkLineBytes: Int
    /// Bytes of the whole trailer section.
    package var maxTrailerSectionBytes: Int
    /// Longest method token; longer ones cannot be one we implement (RFC 9112 §3: 501).
    package var maxMethodBytes: Int

    package init(
        maxRequestLineBytes: Int = 8192,
        maxHeaderSectionBytes: Int = 32768,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 16 << 20,
        maxChunkLineBytes: Int = 1024,
        maxTrailerSectionBytes: Int = 4096,
        maxMethodBytes: Int = 16
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderSectionBytes = maxHeaderSectionBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxTrailerSectionBytes = maxTrailerSectionBytes
        self.maxMethodBytes = maxMethodBytes
    }
}
