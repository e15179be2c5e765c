import Autograd

/// Runs a parsed program over the engine. Names the program assigns live in `locals` until the end, when the
/// tensors among them become `changes` for the session: a failing program leaves no half-made bindings.
struct Interpreter<Environment: EvalEnvironment> {
  struct Outcome {
    var result: EvalValue?
    var changes: [EvalBindingChange]
  }

  let limits: EvalLimits
  var environment: Environment
  var stdout = ""
  var locals: [String: EvalValue] = [:]
  /// First-assignment order of `locals`, so bindings come back in the order the program made them.
  var assignmentOrder: [String] = []
  var gradEnabled = true
  var createdElements = 0
  /// PyTorch's default generator as this program sees it: the session's (or a freshly seeded one) until
  /// `torch.manual_seed` replaces it; every `rand`/`randn` continues its stream.
  var generator: RandomGenerator?
  /// The statement being run: runtime errors point at it, as API.md asks.
  var position = SourcePosition(line: 1, column: 1)

  init(limits: EvalLimits, environment: Environment) {
    self.limits = limits
    self.environment = environment
  }

  mutating func run(_ program: Program) throws(EvalError) -> Outcome {
    var result: EvalValue?
    for (i, statement) in program.statements.enumerated() {
      let value = try execute(statement)
      if i == program.statements.count - 1 { result = value }
    }
    if let generator { environment.randomGenerator = generator }
    return Outcome(result: result, changes: sessionChanges())
  }

  /// Runs one statement; returns its value when it is an expression statement.
  @discardableResult
  mutating func execute(_ statement: Statement) throws(EvalError) -> EvalValue? {
    position = statement.position
    switch statement.kind {
    case .expression(let expr):
      return try evaluate(expr)
    case .assign(let targets, let valueExpr):
      let value = try evaluate(valueExpr)
      for target in targets {
        position = statement.position
        try assign(value, to: target)
      }
    case .augmentedAssign(let target, let op, let valueExpr):
      try augmentedAssign(target: target, op: op, value: valueExpr)
    case .with(let contexts, let body):
      let saved = gradEnabled
      for context in contexts {
        let value = try evaluate(context)
        guard case .gradMode(let enabled) = value else {
          throw fail(
            "invalid_argument",
            "only 'with torch.no_grad():' and 'with torch.enable_grad():' are supported, not '\(value.typeName)'"
          )
        }
        gradEnabled = enabled
      }
      for inner in body { try execute(inner) }
      gradEnabled = saved
    case .importModule(let path, let alias):
      // `import torch.nn.functional` binds `torch`; with `as F`, binds F to the submodule.
      if let alias {
        bindLocal(alias, .module(path.joined(separator: ".")))
      } else if let first = path.first {
        bindLocal(first, .module(first))
      }
    case .pass:
      break
    }
    return nil
  }

  // MARK: - Names

  func lookup(_ name: String) throws(EvalError) -> EvalValue {
    if let value = locals[name] { return value }
    if let tensor = environment.tensor(named: name) { return .tensor(tensor) }
    if let builtin = Builtins.value(named: name) { return builtin }
    throw fail("not_found", "name '\(name)' is not defined")
  }

  mutating func bindLocal(_ name: String, _ value: EvalValue) {
    if locals.updateValue(value, forKey: name) == nil { assignmentOrder.append(name) }
  }

  /// Session names follow API.md (`[A-Za-z_][A-Za-z0-9_]{0,63}`, `_` prefix reserved for the server): other
  /// names the program assigns stay local to the program.
  static func isSessionName(_ name: String) -> Bool {
    let scalars = Array(name.unicodeScalars)
    guard let first = scalars.first, scalars.count <= 64, first != "_" else { return false }
    func isLetter(_ c: Unicode.Scalar) -> Bool {
      ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    guard isLetter(first) else { return false }
    return scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" }
  }

  private func sessionChanges() -> [EvalBindingChange] {
    var changes: [EvalBindingChange] = []
    for name in assignmentOrder where Self.isSessionName(name) {
      guard let value = locals[name] else { continue }
      if case .tensor(let t) = value {
        changes.append(EvalBindingChange(name: name, tensor: t))
      } else if environment.tensor(named: name) != nil {
        changes.append(EvalBindingChange(name: name, tensor: nil))
      }
    }
    return changes
  }

  // MARK: - Errors

  func fail(_ code: String, _ message: String) -> EvalError {
    EvalError(code, message, at: position)
  }

  @discardableResult
  /// Runs an engine call, turning its error into one at the current statement (the engine's code passes through).
  func engine<T>(_ body: () throws(AutogradError) -> T) throws(EvalError) -> T {
    do {
      return try body()
    } catch {
      // The reference runs the program in Python: PyTorch's TypeErrors and ValueErrors arrive as 422 with the
      // class name before the text (a wrong argument is a refused op there, not a malformed request).
      if let kind = error.pythonErrorClass, kind != "RuntimeError" {
        let dtype = error.code == .dtypeMismatch || error.message.contains("dtype")
        let code = dtype ? "dtype_mismatch" : "invalid_op"
        throw fail(code, "\(kind): \(error.message)")
      }
      throw fail(error.code.rawValue, error.message)
    }
  }

  // MARK: - Output

  mutating func write(_ text: String) throws(EvalError) {
    if stdout.utf8.count + text.utf8.count > limits.maxOutputBytes {
      throw fail("limit_exceeded", "the program printed more than \(limits.maxOutputBytes) bytes")
    }
    stdout += text
  }

  // MARK: - Element budget

  /// Refuses work that would create more than the program's element budget; call before allocating.
  func checkBudget(_ elements: Int) throws(EvalError) {
    let (total, overflow) = createdElements.addingReportingOverflow(elements)
    if overflow || total > limits.maxCreatedElements {
      throw fail(
        "limit_exceeded",
        "the program would create more than \(limits.maxCreatedElements) tensor elements")
    }
  }

  mutating func account(_ tensor: Tensor) throws(EvalError) {
    try checkBudget(tensor.numel)
    createdElements += tensor.numel
  }

  /// Calls `body` with the program's generator, made on first use from the session's.
  mutating func withGenerator<R>(
    _ body: (inout RandomGenerator) throws(AutogradError) -> R
  ) throws(EvalError) -> R {
    var current =
      generator ?? environment.randomGenerator
      ?? RandomGenerator(seed: environment.nextRandomSeed())
    defer { generator = current }
    return try engine { () throws(AutogradError) in try body(&current) }
  }
}
