import Autograd
import HTTPServer
import TensorJSON

extension AutogradService {
  /// `y.backward(gradient, retain_graph, create_graph)`; answers the `.grad` of every named leaf it reached.
  func backward(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let limits = sessionLimits
    return .inSession(session) { state throws(ServiceError) in
      let (_, binding) = try state.binding(context.tensorName)
      let output = binding.tensor
      let body = try RequestBody.object(
        context.request, required: false,
        allowed: BodyKeys.backward, what: "backward")
      let gradient = try AutogradService.gradientArgument(
        body["gradient"], like: output, state: state, limits: limits)
      let retainGraph = try body.optionalBool("retain_graph")
      let createGraph = try body.bool("create_graph", default: false)
      var inputs: [Tensor]?
      if let raw = body["inputs"], !raw.isNull {
        // An empty list reaches PyTorch, which refuses it with its own message.
        let empty = raw.arrayElements?.isEmpty ?? false
        inputs = empty ? [] : try AutogradService.tensorList(raw, field: "inputs", state: state)
      }
      let updated = try engine { () throws(AutogradError) in
        guard let inputs else {
          return try output.backward(
            gradient: gradient, retainGraph: retainGraph, createGraph: createGraph)
        }
        return try Gradients.backward(
          output, gradient: gradient, inputs: inputs, retainGraph: retainGraph,
          createGraph: createGraph)
      }
      if createGraph { try state.checkGraphNodesAfterWork() }
      // With `inputs`, the reference lists every input that has a `.grad`, reached this time or not.
      let reached = Set((inputs ?? updated).map(ObjectIdentifier.init))
      var out = JSONWriter()
      out.beginObject()
      out.key("grads")
      out.beginObject()
      for (name, named) in state.listing where reached.contains(ObjectIdentifier(named.tensor)) {
        guard let grad = named.tensor.grad else { continue }
        out.key(name)
        out.tensorValues(grad)
      }
      out.endObject()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  func getGrad(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      let (_, binding) = try state.binding(context.tensorName)
      return AutogradService.gradResponse(binding.tensor.grad)
    }
  }

  /// `x.grad = None`.
  func deleteGrad(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      let (_, binding) = try state.binding(context.tensorName)
      binding.tensor.clearGrad()
      return Responses.noContent()
    }
  }

  /// `x.grad.zero_()`; with no `.grad` this is Python's AttributeError, which the reference answers as 422.
  func zeroGrad(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      let (name, binding) = try state.binding(context.tensorName)
      guard let grad = binding.tensor.grad else {
        throw .invalidOp("\(name).grad is None ('NoneType' object has no attribute 'zero_')")
      }
      _ = grad
      try engine { () throws(AutogradError) in try binding.tensor.zeroGrad() }
      return AutogradService.gradResponse(binding.tensor.grad)
    }
  }

  /// `torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)`: `.grad` is
  /// not touched; with `create_graph` the gradients become named tensors that can be differentiated again.
  func autogradGrad(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let limits = sessionLimits
    return .inSession(session) { state throws(ServiceError) in
      let body = try RequestBody.object(
        context.request, required: true,
        allowed: BodyKeys.grad, what: "grad")
      guard let rawOutputs = body["outputs"], let rawInputs = body["inputs"] else {
        throw .invalidArgument("grad needs outputs and inputs (tensor names)")
      }
      let outputs = try AutogradService.tensorList(rawOutputs, field: "outputs", state: state)
      let inputs = try AutogradService.tensorList(rawInputs, field: "inputs", state: state)
      var gradOutputs: [Tensor?]?
      if let raw = body["grad_outputs"], !raw.isNull {
        guard let elements = raw.arrayElements, elements.count == outputs.count else {
          throw .invalidArgument("grad_outputs must be an array with one entry per output")
        }
        var list: [Tensor?] = []
        for (element, output) in zip(elements, outputs) {
          list.append(
            try AutogradService.gradientArgument(
              element, like: output, state: state, limits: limits))
        }
        gradOutputs = list
      }
      var names: [String?] = Array(repeating: nil, count: inputs.count)
      if let raw = body["names"], !raw.isNull {
        guard let elements = raw.arrayElements, elements.count == inputs.count else {
          throw .invalidArgument("names must be an array with one name per input")
        }
        for (index, element) in elements.enumerated() {
          names[index] = try TensorRequests.userName(element)
        }
      }
      let createGraph = try body.bool("create_graph", default: false)
      let retainGraph = try body.optionalBool("retain_graph")
      let allowUnused = try body.bool("allow_unused", default: false)
      if createGraph {
        // The gradients become named tensors, each the shape of its input.
        for (input, name) in zip(inputs, names) {
          try state.admitName(name)
          try state.admit(
            elements: input.numel,
            bytes: OpPreflight.multiply(input.numel, input.dtype.itemSize))
        }
      }
      let grads = try engine { () throws(AutogradError) in
        try Gradients.grad(
          outputs: outputs, inputs: inputs, gradOutputs: gradOutputs, retainGraph: retainGraph,
          createGraph: createGraph, allowUnused: allowUnused)
      }
      var out = JSONWriter()
      out.beginObject()
      out.key("grads")
      out.beginArray()
      for (index, grad) in grads.enumerated() {
        guard let grad else {
          out.null()
          continue
        }
        if createGraph {
          let name = try state.bind(names[index], grad)
          out.tensorObject(grad, name: name, id: state.id(of: grad) ?? 0, data: context.wantsData)
        } else {
          out.tensorValues(grad)
        }
      }
      out.endArray()
      out.endObject()
      // Differentiable gradients record graphs whose size the request could not foresee.
      if createGraph { try state.checkGraphNodesAfterWork() }
      return Responses.json(.ok, out.bytes)
    }
  }

  /// `torch.autograd.functional.jacobian` on the existing graph: one Jacobian per input, shaped
  /// `output.shape + input.shape`; `.grad` is not touched.
  func jacobian(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let limits = sessionLimits
    return .inSession(session) { state throws(ServiceError) in
      let body = try RequestBody.object(
        context.request, required: true, allowed: BodyKeys.jacobian, what: "jacobian")
      guard let outputName = try body.string("output") else {
        throw .invalidArgument("jacobian needs output (a tensor name)")
      }
      let output = try state.tensor(outputName)
      guard let rawInputs = body["inputs"] else {
        throw .invalidArgument("jacobian needs inputs (tensor names)")
      }
      let inputs = try AutogradService.tensorList(rawInputs, field: "inputs", state: state)
      var elements = 0
      for input in inputs {
        let (product, overflow) = output.numel.multipliedReportingOverflow(by: input.numel)
        let (sum, overflow2) = elements.addingReportingOverflow(product)
        guard !overflow, !overflow2 else { throw .limitExceeded("the Jacobian is too large") }
        elements = sum
      }
      guard elements <= limits.maxJacobianElements else {
        throw .limitExceeded(
          "the Jacobians would have \(elements) elements; the limit (max-jacobian-elements) is "
            + "\(limits.maxJacobianElements)"
        )
      }
      let jacobians = try engine { () throws(AutogradError) in
        try Gradients.jacobian(output: output, inputs: inputs)
      }
      var out = JSONWriter(capacity: 64 + elements * 12)
      out.beginObject()
      out.key("jacobians")
      out.beginArray()
      for jacobian in jacobians { out.tensorValues(jacobian) }
      out.endArray()
      out.key("shapes")
      out.beginArray()
      for jacobian in jacobians { out.intArray(jacobian.shape) }
      out.endArray()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  static func gradResponse(_ grad: Tensor?) -> HTTPServerResponse {
    var out = JSONWriter(capacity: 32 + (grad?.numel ?? 0) * 12)
    out.beginObject()
    out.key("grad")
    out.optionalTensorValues(grad)
    out.endObject()
    return Responses.json(.ok, out.bytes)
  }

  /// A `gradient` / `grad_outputs` entry: a tensor name, or values of the output's dtype; null is none.
  static func gradientArgument(
    _ value: JSONValue?, like output: Tensor, state: SessionState, limits: SessionLimits
  )
    throws(ServiceError) -> Tensor?
  {
    guard let value, !value.isNull else { return nil }
    // A bound name wins over a non-finite literal spelled the same ("NaN"), as in op arguments.
    if let name = value.stringValue, specialNumber(name) == nil || state.names[name] != nil {
      return try state.tensor(name)
    }
    return try TensorRequests.literal(
      value, shape: nil, dtype: output.dtype, field: "gradient", limits: limits)
  }

  /// A list of tensor names (a single name is a list of one).
  static func tensorList(_ value: JSONValue, field: String, state: SessionState)
    throws(ServiceError) -> [Tensor]
  {
    if let name = value.stringValue { return [try state.tensor(name)] }
    guard let elements = value.arrayElements, !elements.isEmpty else {
      throw .invalidArgument("\(field) must be a non-empty array of tensor names")
    }
    var tensors: [Tensor] = []
    for element in elements {
      guard let name = element.stringValue else {
        throw .invalidArgument("\(field) must be a non-empty array of tensor names")
      }
      tensors.append(try state.tensor(name))
    }
    return tensors
  }
}
