// libFuzzer entry point for the /eval lexer and parser; built by scripts/fuzz.sh together with those sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvalParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let program = try? Parser.parse(source) else { return 0 }
  // Printing the tree walks every node, so a malformed tree shows up here rather than in the interpreter.
  for statement in program.statements { _ = statement.sexpr }
  return 0
}
