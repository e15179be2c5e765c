import Autograd
import AutogradEval
import HTTPServer
import TensorJSON

extension AutogradService {
  /// Runs a program in the session's PyTorch subset (`AutogradEval`); a failure leaves the session as it was.
  func eval(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let limits = configuration.evalLimits
    return .inSession(session) {
      (state: inout SessionState, journal: MutationJournal) throws(ServiceError) in
      let source = try AutogradService.evalSource(context.request)
      let result: EvalResult
      do throws(EvalError) {
        result = try EvalProgram.run(
          source: source, environment: &state, limits: limits, journal: journal)
      } catch {
        var failure = ServiceError(code: error.code, detail: error.message)
        failure.line = error.line
        failure.column = error.column
        failure.stdout = error.stdout
        throw failure
      }
      try AutogradService.checkQuotasAfterEval(result, state: &state)
      var out = JSONWriter()
      out.beginObject()
      out.key("stdout")
      out.string(result.stdout)
      out.key("result")
      AutogradService.write(result.result ?? .none, to: &out, state: &state)
      out.key("bindings")
      out.beginObject()
      for name in result.bindings {
        guard let binding = state.names[name] else { continue }
        out.key(name)
        out.tensorObject(binding.tensor, name: name, id: binding.id, data: true)
      }
      out.endObject()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  /// A program's allocations cannot be foreseen from its text (its own `EvalLimits` bound the work it may do), so
  /// the session's quotas are checked on what it left behind; over a limit, the whole program is undone.
  static func checkQuotasAfterEval(_ result: EvalResult, state: inout SessionState)
    throws(ServiceError)
  {
    for name in result.bindings {
      guard let binding = state.names[name] else { continue }
      let elements = binding.tensor.numel
      guard elements <= state.limits.maxElements else {
        throw .limitExceeded(
          "a tensor may have at most \(state.limits.maxElements) elements (max-tensor-elements); '\(name)' "
            + "has \(elements)")
      }
    }
    try state.checkGraphNodesAfterWork()
  }

  /// `text/plain` source, or JSON `{"source": "..."}`.
  static func evalSource(_ request: HTTPServerRequest) throws(ServiceError) -> String {
    if RequestBody.mediaType(request) == "text/plain" {
      return String(decoding: request.body, as: UTF8.self)
    }
    guard let value = try RequestBody.json(request) else {
      throw .invalidArgument("eval takes text/plain source or {\"source\": \"...\"}")
    }
    guard case .object(let object) = value else {
      throw .invalidArgument("eval takes text/plain source or {\"source\": \"...\"}")
    }
    try object.refuseUnknownKeys(["source"], what: "eval")
    guard let source = try object.string("source") else {
      throw .invalidArgument("source is required")
    }
    return source
  }

  /// A program's value as JSON: tensors as tensor objects, Python values as themselves, torch objects by name.
  static func write(_ value: EvalValue, to out: inout JSONWriter, state: inout SessionState) {
    switch value {
    case .none: out.null()
    case .bool(let flag): out.bool(flag)
    case .int(let number): out.int(number)
    case .float(let number): out.number(number)
    case .string(let text): out.string(text)
    case .list(let items), .tuple(let items):
      out.beginArray()
      for item in items { write(item, to: &out, state: &state) }
      out.endArray()
    case .tensor(let tensor):
      out.tensorObject(
        tensor, name: state.name(of: tensor), id: state.displayID(of: tensor), data: true)
    case .size(let dims): out.intArray(dims)
    case .dtype(let type): out.string(type.rawValue)
    case .gradFn(let node): out.string(node.name)
    default: out.string(value.repr)
    }
  }
}

extension SessionState: EvalEnvironment {
  func tensor(named name: String) -> Tensor? { names[name]?.tensor }

  mutating func apply(_ changes: [EvalBindingChange]) throws(EvalError) {
    var updated = self
    do throws(ServiceError) {
      for change in changes {
        if let tensor = change.tensor {
          try updated.bind(change.name, tensor)
        } else if updated.names[change.name] != nil {
          try updated.unbind(change.name)
        }
      }
    } catch {
      throw EvalError(code: error.code, message: error.detail, line: 0, column: 0)
    }
    self = updated
  }

  mutating func nextRandomSeed() -> UInt64 {
    var generator = SystemRandomNumberGenerator()
    return generator.next()
  }
}
