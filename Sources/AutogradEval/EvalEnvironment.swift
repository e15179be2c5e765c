import Autograd

/// One change a successful program makes to the session's names: bind `name` to `tensor`, or unbind it (`nil`)
/// when the program rebound it to something that is not a tensor.
public struct EvalBindingChange {
  public var name: String
  public var tensor: Tensor?

  public init(name: String, tensor: Tensor?) {
    self.name = name
    self.tensor = tensor
  }
}

/// The session as a program sees it: its named tensors, read during the run, and written once at the end. A
/// program runs on a thread of its own while the caller waits (see `EvalProgram.run`), hence `SendableMetatype`.
public protocol EvalEnvironment: SendableMetatype {
  /// The tensor bound to `name`, if any.
  func tensor(named name: String) -> Tensor?
  /// Applies every change of a successful program, all or none (e.g. refuse with `limit_exceeded` when the
  /// session's tensor quota would be exceeded).
  mutating func apply(_ changes: [EvalBindingChange]) throws(EvalError)
  /// A fresh seed for `torch.rand`/`torch.randn` when neither the program nor an earlier one of this
  /// environment set a generator.
  mutating func nextRandomSeed() -> UInt64
  /// PyTorch's default generator, kept between programs: a successful program hands back the state it left
  /// (after `torch.manual_seed(7)`, the next program's `torch.randn(3)` continues that stream, as in one Python
  /// process). The default keeps nothing: each program then starts from `nextRandomSeed()`.
  var randomGenerator: RandomGenerator? { get set }
}

extension EvalEnvironment {
  public var randomGenerator: RandomGenerator? {
    get { nil }
    set {}
  }
}

/// A plain dictionary of names, for tests and for callers without a session of their own.
public struct InMemoryEvalEnvironment: EvalEnvironment {
  public var tensors: [String: Tensor]
  public var seed: UInt64
  public var randomGenerator: RandomGenerator?

  public init(tensors: [String: Tensor] = [:], seed: UInt64 = 0) {
    self.tensors = tensors
    self.seed = seed
  }

  public func tensor(named name: String) -> Tensor? { tensors[name] }

  public mutating func apply(_ changes: [EvalBindingChange]) throws(EvalError) {
    for change in changes {
      tensors[change.name] = change.tensor
    }
  }

  public mutating func nextRandomSeed() -> UInt64 {
    seed &+= 1
    return seed
  }
}
