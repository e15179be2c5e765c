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
/// syntax"): statements (assignment, augmented and subscript assignment, `with torch.no_grad():`, `import torch`),
/// Python values and operators, `torch.` factories, every op of `Ops.catalog` as a method, a `torch.` and an
/// `F.` function, autograd attributes (`.grad .grad_fn .requires_grad .is_leaf .data .shape`), `.backward(...)`,
/// `torch.autograd.grad`, `print` and f-strings. Names are written only on success, through
/// `EvalEnvironment.apply`.
public enum EvalProgram {
  /// Runs `source` to completion and answers what it printed, its last value and the names it bound.
  ///
  /// Where: on the calling thread by default (Linux gives the main, Dispatch and Swift-concurrency threads 8 MiB
  /// of stack; the default `maxNestingDepth` of 100 needs about 4 MiB in a debug build, under 256 KiB in a
  /// release build).
  /// With `limits.stackBytes` set, on a thread of its own with that stack, the caller blocking meanwhile, so the
  /// engine and the environment are still touched by one thread at a time.
  ///
  /// Undo: the engine records its mutations in the `MutationJournal` of the unit of work, a task-local that does
  /// not follow a new thread. Pass `journal` (required with `stackBytes`; harmless otherwise): the program then
  /// runs inside `journal.recording`, and a failing program's mutations are rolled back before this throws. On
  /// success they stay recorded; the caller commits or rolls back as it decides.
  public static func run<Environment: EvalEnvironment>(
    source: String, environment: inout Environment, limits: EvalLimits = .default,
    journal: MutationJournal? = nil
  ) throws(EvalError) -> EvalResult {
    let job = Job(environment: environment, journal: journal)
    if let stackBytes = limits.stackBytes {
      let done = DispatchSemaphore(value: 0)
      let thread = Thread {
        job.work(source: source, limits: limits)
        done.signal()
      }
      thread.stackSize = stackBytes
      thread.start()
      done.wait()
    } else {
      job.work(source: source, limits: limits)
    }
    environment = job.environment
    guard let outcome = job.outcome else {
      throw EvalError(code: "internal", message: "the program did not run", line: 1, column: 1)
    }
    return try outcome.get()
  }

  /// The state handed to the worker thread and back.
  // @unchecked Sendable: the caller blocks on a semaphore from `start()` until the worker signals it is done,
  // so exactly one thread touches this object (and the engine objects it reaches) at a time, and the semaphore
  // orders their accesses.
  private final class Job<Environment: EvalEnvironment>: @unchecked Sendable {
    var environment: Environment
    let journal: MutationJournal?
    var outcome: Result<EvalResult, EvalError>?

    init(environment: Environment, journal: MutationJournal?) {
      self.environment = environment
      self.journal = journal
    }

    func work(source: String, limits: EvalLimits) {
      var env = environment
      let body = {
        self.outcome = Result { () throws(EvalError) in
          try runOnCurrentThread(source: source, environment: &env, limits: limits)
        }
      }
      if let journal {
        journal.recording(body)
        if case .failure? = outcome { journal.rollback() }
      } else {
        body()
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
