import CZlib

/// gzip through zlib: whole-buffer compression for responses, capped inflation for request bodies.
enum Gzip {
    enum InflateError: Error, Equatable {
        /// The inflated body would exceed the cap (a zip bomb, or just too big): 413.
        case tooLarge
        /// Not a valid gzip stream: 400.
        case corrupt
    }

    /// windowBits 15 + 16 selects the gzip wrapper (RFC 1952) instead of zlib's.
    private static let gzipWindowBits: Int32 = 15 + 16

    static func compress(_ input: [UInt8], level: Int) -> [UInt8]? {
        // zlib counts in 32 bits; such bodies go out uncompressed.
        guard input.count < Int(UInt32.max) else { return nil }
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, Int32(clamping: min(max(level, 1), 9)), Z_DEFLATED, gzipWindowBits, 8,
            Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let result: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { return nil }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates a gzip body, refusing as soon as the output would pass `limit` bytes.
    static func decompress(_ input: [UInt8], limit: Int) -> Result<[UInt8], InflateError> {
        guard input.count < Int(UInt32.max) else { return .failure(.tooLarge) }
        var stream = z_stream()
        guard
            inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else {
            return .failure(.corrupt)
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(max(input.count * 4, 4096), limit))
        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        return input.withUnsafeBufferPointer { source -> Result<[UInt8], InflateError> in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer {
                    destination -> (Int32, Int) in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = uInt(destination.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, destination.count - Int(stream.avail_out))
                }
                guard produced <= limit - output.count else { return .failure(.tooLarge) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Trailing bytes after the gzip member are not a valid body.
                    return stream.avail_in == 0 ? .success(output) : .failure(.corrupt)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return .failure(.corrupt)  // truncated stream
                default:
                    return .failure(.corrupt)
                }
            }
        }
    }
}
