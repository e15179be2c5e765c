import Autograd

/// Attribute reads, each from an allowlist: tensors expose autograd's attributes and the engine's ops as methods,
/// `torch` exposes its factories, dtypes and ops; nothing else is reachable.
extension Interpreter {
  mutating func attribute(of value: EvalValue, _ name: String) throws(EvalError) -> EvalValue {
    switch value {
    case .tensor(let t):
      return try tensorAttribute(t, name)
    case .gradFn(let node):
      switch name {
      case "next_functions":
        return .tuple(node.nextNodes.map { .tuple([$0.map { .gradFn($0) } ?? .none, .int(0)]) })
      case "variable" where node.leafTensor != nil:
        return node.leafTensor.map { .tensor($0) } ?? .none
      case "name":
        return .method(value, name)
      default:
        throw fail("invalid_argument", "attribute '\(name)' of \(node.name) is not supported")
      }
    case .module(let path):
      return try moduleAttribute(path, name)
    case .namedTuple(_, let fields, let values):
      guard let i = fields.firstIndex(of: name), i < values.count else {
        throw fail("invalid_argument", "'\(value.typeName)' object has no attribute '\(name)'")
      }
      return values[i]
    case .size where name == "numel":
      return .method(value, name)
    default:
      throw fail("invalid_argument", "'\(value.typeName)' object has no attribute '\(name)'")
    }
  }

  private mutating func tensorAttribute(_ t: Tensor, _ name: String) throws(EvalError) -> EvalValue
  {
    switch name {
    case "grad": return t.grad.map { .tensor($0) } ?? .none
    case "grad_fn": return t.gradFn.map { .gradFn($0) } ?? .none
    case "requires_grad": return .bool(t.requiresGrad)
    case "is_leaf": return .bool(t.isLeaf)
    case "data": return .tensor(t.data)
    case "shape": return .size(t.shape)
    case "dtype": return .dtype(t.dtype)
    case "ndim": return .int(t.rank)
    case "_version": return .int(t.version)
    case "T":
      // PyTorch's `.T` is `permute` with the dims reversed (PermuteBackward0 at any rank).
      let dims = (0..<t.rank).reversed().map { EvalValue.int($0) }
      return try callOp("permute", [.tensor(t)] + dims, [:])
    default:
      if OpNames.tensorMethods.contains(name) || OpNames.all.contains(name) {
        return .method(.tensor(t), name)
      }
      throw fail("invalid_argument", "the tensor attribute '\(name)' is not supported")
    }
  }

  private func moduleAttribute(_ path: String, _ name: String) throws(EvalError) -> EvalValue {
    switch path {
    case "torch":
      if let dtype = OpNames.torchDTypes[name] { return .dtype(dtype) }
      switch name {
      case "nn": return .module("torch.nn")
      case "autograd": return .module("torch.autograd")
      default: break
      }
      if OpNames.torchFunctions.contains(name) || OpNames.all.contains(name) {
        return .function("torch." + name)
      }
    case "torch.nn":
      if name == "functional" { return .module("torch.nn.functional") }
    case "torch.nn.functional":
      if OpNames.all.contains(name) { return .function("torch.nn.functional." + name) }
    case "torch.autograd":
      if name == "grad" || name == "backward" { return .function("torch.autograd." + name) }
    default:
      break
    }
    throw fail("invalid_argument", "'\(path).\(name)' is not supported")
  }
}

/// The names a program may reach, computed once: the engine's ops and what the interpreter adds.
enum OpNames {
  static let all: Set<String> = Set(Ops.catalog.map(\.name))
  /// Tensor methods the interpreter implements itself (the rest come from `Ops.catalog`).
  static let tensorMethods: Set<String> = [
    "backward", "item", "tolist", "size", "dim", "numel", "retain_grad", "requires_grad_", "float",
    "double",
    "long", "max", "min", "zero_", "detach", "register_hook",
  ]

  /// `torch.` functions the interpreter implements itself.
  static let torchFunctions: Set<String> = [
    "tensor", "ones", "zeros", "full", "rand", "randn", "arange", "ones_like", "zeros_like",
    "full_like",
    "rand_like", "randn_like", "no_grad", "enable_grad", "manual_seed", "is_grad_enabled",
  ]

  static let torchDTypes: [String: DType] = [
    "float32": .float32, "float": .float32, "float64": .float64, "double": .float64,
    "int64": .int64,
    "long": .int64, "bool": .bool,
  ]
}
