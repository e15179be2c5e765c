import Autograd
import HTTPServer
import HTTPTypes
import TensorJSON

extension AutogradService {
  /// The backward graph behind a tensor, as torchviz draws it: JSON, or Graphviz DOT for
  /// `Accept: text/vnd.graphviz`.
  func graph(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let wantsDOT = context.request.withHeaderValue(.accept) { value in
      value.map { $0.firstRange(of: "text/vnd.graphviz".utf8) != nil } ?? false
    }
    return .inSession(session) { state throws(ServiceError) in
      let (_, binding) = try state.binding(context.tensorName)
      let walk = GraphWalk(from: binding.tensor)
      var leafNames: [ObjectIdentifier: String] = [:]
      for (name, named) in state.listing where leafNames[ObjectIdentifier(named.tensor)] == nil {
        leafNames[ObjectIdentifier(named.tensor)] = name
      }
      if wantsDOT {
        return Responses.text(
          .ok, AutogradService.dot(walk, leafNames: leafNames), contentType: "text/vnd.graphviz")
      }
      var out = JSONWriter()
      out.beginObject()
      out.key("nodes")
      out.beginArray()
      for node in walk.nodes {
        out.beginObject()
        out.key("id")
        out.int(node.id)
        out.key("grad_fn")
        out.string(node.name)
        out.key("saved")
        out.beginArray()
        for saved in node.savedValues {
          out.beginObject()
          out.key("shape")
          out.intArray(saved.shape)
          out.key("freed")
          out.bool(saved.freed)
          out.endObject()
        }
        out.endArray()
        out.endObject()
      }
      out.endArray()
      out.key("edges")
      out.beginArray()
      for edge in walk.edges {
        out.beginObject()
        out.key("from")
        out.int(edge.from)
        out.key("to")
        out.int(edge.to)
        out.endObject()
      }
      out.endArray()
      out.key("leaves")
      out.beginArray()
      for node in walk.nodes {
        guard let leaf = node.leafTensor else { continue }
        out.beginObject()
        out.key("node")
        out.int(node.id)
        out.key("tensor")
        if let name = leafNames[ObjectIdentifier(leaf)] { out.string(name) } else { out.null() }
        out.endObject()
      }
      out.endArray()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  static func dot(_ walk: GraphWalk, leafNames: [ObjectIdentifier: String]) -> String {
    var text = "digraph {\n    node [shape=box]\n"
    for node in walk.nodes {
      var label = node.name
      if let leaf = node.leafTensor, let name = leafNames[ObjectIdentifier(leaf)] {
        label += "\\n" + name
      }
      let fill = node.leafTensor == nil ? "" : ", style=filled, fillcolor=lightblue"
      text += "    n\(node.id) [label=\"\(label)\"\(fill)]\n"
    }
    for edge in walk.edges { text += "    n\(edge.to) -> n\(edge.from)\n" }
    return text + "}\n"
  }
}
