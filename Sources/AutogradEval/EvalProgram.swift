import Autograd
import Foundation

/// What a successful program produced.
public struct EvalResult {
  /// What `print` wrote.
  public var stdout: String
  /// The value of the last statement when it is an expression (`nil` otherwise), as a notebook shows it.
  public var result: EvalValue?
  /// Session names the program bound to tensors, in the order they were first assigned.
  public var bindings: [String]
  /// Session names the program rebound to something that is not a tensor; they are no longer session names.
  public var unbound: [String]
}

/// Runs programs written in the subset of Python that autograd tutorials use (API.md, "Programs in PyTorch
/// syntax"). The caller runs it inside the session's serial context and undoes the engine's mutations when it
/// throws (a `MutationJournal`); the names are written only on success, through `EvalEnvironment.apply`.
public enum EvalProgram {
  /// Runs `source` to completion on a thread of its own with a stack of `limits.stackBytes` (parsing and
  /// evaluation recurse once per nesting level, and the caller's thread may have a small stack), blocking the
  /// caller meanwhile: the engine and the environment are only ever touched by one thread at a time.
  public static func run<Environment: EvalEnvironment>(
    source: String, environment: inout Environment, limits: EvalLimits = .default
  ) throws(EvalError) -> EvalResult {
    let job = Job(environment: environment)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      job.work(source: source, limits: limits)
      done.signal()
    }
    thread.stackSize = limits.stackBytes
    thread.start()
    done.wait()
    environment = job.environment
    guard let outcome = job.outcome else {
      throw EvalError(code: "internal", message: "the program did not run", line: 1, column: 1)
    }
    return try outcome.get()
  }

  /// The state handed to the worker thread and back.
  // @unchecked Sendable: the caller blocks on a semaphore from `start()` until the worker signals it is done,
  // so exactly one thread touches this object at a time, and the semaphore orders their accesses.
  private final class Job<Environment: EvalEnvironment>: @unchecked Sendable {
    var environment: Environment
    var outcome: Result<EvalResult, EvalError>?

    init(environment: Environment) { self.environment = environment }

    func work(source: String, limits: EvalLimits) {
      var env = environment
      outcome = Result { () throws(EvalError) in
        try runOnCurrentThread(source: source, environment: &env, limits: limits)
      }
      environment = env
    }
  }

  /// Runs `source` on the calling thread, whose stack must hold `limits.maxNestingDepth` levels of recursion.
  static func runOnCurrentThread<Environment: EvalEnvironment>(
    source: String, environment: inout Environment, limits: EvalLimits = .default
  ) throws(EvalError) -> EvalResult {
    let program = try Parser.parse(source, limits: limits)
    var interpreter = Interpreter(limits: limits, environment: environment)
    let outcome: Interpreter<Environment>.Outcome
    do {
      outcome = try interpreter.run(program)
      // The copy saw only reads and seed draws; hand its seed state back before writing the names.
      var updated = interpreter.environment
      try updated.apply(outcome.changes)
      environment = updated
    } catch {
      var failure = error
      failure.stdout = interpreter.stdout
      throw failure
    }
    return EvalResult(
      stdout: interpreter.stdout, result: outcome.result,
      bindings: outcome.changes.compactMap { $0.tensor == nil ? nil : $0.name },
      unbound: outcome.changes.compactMap { $0.tensor == nil ? $0.name : nil })
  }
}
