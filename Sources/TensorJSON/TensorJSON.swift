/// Fast JSON for request and response bodies whose bulk is tensor numbers.
///
/// Reading a request:
///
/// ```swift
/// let body: JSONValue
/// do { body = try JSONValue.parse(bytes) }  // strict RFC 8259, UTF-8 checked, depth <= 64, no duplicate keys
/// catch { /* 400 invalid_json: "\(error)" is "invalid JSON at byte 17: expected ',' or ']', found '3'" */ }
/// let name = body["name"]?.stringValue
/// let dim = body["kwargs"]?["dim"]?.intValue          // 2 -> 2, but 2.0 -> nil (an int literal was required)
/// let t = try tensorLiteral(data: body["data"] ?? .null, shape: body["shape"])  // TensorLiteralError -> 400
/// // t.shape == [2, 2], t.values == [1, 1, 1, 1] (row-major Doubles), t.allIntegers == true
/// ```
///
/// Arrays made only of numbers arrive as `.numbers([Double], allIntegers:)`; `arrayElements` gives either array
/// form as `[JSONValue]`. Writing a response:
///
/// ```swift
/// var w = JSONWriter()
/// w.beginObject()
/// w.key("shape"); w.beginArray(); for n in shape { w.int(n) }; w.endArray()
/// w.key("data"); floats.withUnsafeBufferPointer { w.writeTensor($0, shape: shape) }  // shortest float32 forms
/// w.key("grad"); w.null()
/// w.endObject()
/// // w.bytes == {"shape":[2,2],"data":[[0.1,27.0],["NaN",1e-05]],"grad":null}
/// ```
public enum TensorJSON {}
