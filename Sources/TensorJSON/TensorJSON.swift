/// Fast JSON for request and response bodies whose bulk is tensor numbers.
///
/// - Reading: `JSONValue.parse(_:)` (strict RFC 8259, UTF-8 validated, depth-limited, duplicate keys refused; errors
///   are `JSONError` with a byte offset). Arrays of plain numbers are stored packed as `.numbers`.
/// - Tensors: `tensorLiteral(_:)` / `tensorLiteral(data:shape:)` turn nested (or flat `shape` + `data`) input into a
///   shape and row-major values, accepting `"NaN"`, `"Infinity"`, `"-Infinity"`.
/// - Writing: `JSONWriter`, with `writeTensor(_:shape:)` writing shortest round-trip numbers straight into the buffer.
public enum TensorJSON {}
