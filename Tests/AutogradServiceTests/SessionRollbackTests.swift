import Autograd
import HTTPServer
import Testing

@testable import AutogradService

/// A failed request is undone from the session state's undo log (not a snapshot): names, ids, the next id,
/// byte accounting and the graph-node count come back exactly, however the request changed the tables.
@Suite struct SessionRollbackTests {
  private func makeSession() -> Session {
    Session(
      id: "s", owner: nil, ttl: 60, now: 0,
      limits: SessionLimits(maxTensors: 10, maxElements: 100, maxJacobianElements: 100))
  }

  /// name=id, sorted, then namedBytes and graphNodes.
  private func describe(_ session: Session) -> String {
    let result = session.runIfIdle(
      .plain { state throws(ServiceError) in
        let names = state.listing.map { "\($0.name)=\($0.binding.id)" }.joined(separator: ",")
        let text = "\(names);bytes=\(state.namedBytes);nodes=\(state.graphNodes)"
        return HTTPServerResponse(status: .ok, body: Array(text.utf8))
      })
    guard case .success(let response)? = result else { return "failed" }
    return String(decoding: response.body, as: UTF8.self)
  }

  @Test func failedRequestThatRebindsUnbindsAndBindsLeavesEverythingAsItWas() throws {
    let session = makeSession()
    let a = try Tensor.ones([2])
    let b = try Tensor.ones([3])
    let c = try Tensor.ones([4])
    _ = session.runIfIdle(
      .plain { state throws(ServiceError) in
        try state.bind("a", a)
        try state.bind("b", b)
        try state.bind("alias", a)
        state.graphNodes = 5
        return HTTPServerResponse(status: .ok)
      })
    let before = describe(session)
    #expect(before == "a=1,alias=1,b=2;bytes=20;nodes=5")

    let failed = session.runIfIdle(
      .plain { state throws(ServiceError) in
        try state.bind("a", c)  // rebinds: a's old tensor keeps its other name
        try state.unbind("b")
        try state.bind(nil, b)  // a server name for an unbound tensor
        try state.bind("d", c)
        state.recount()  // replaces the storage table whole
        state.graphNodes = 9
        throw ServiceError.invalidArgument("refused after changing everything")
      })
    guard case .failure? = failed else {
      Issue.record("expected a failure")
      return
    }
    #expect(describe(session) == before)

    // The next id was restored too: a new tensor gets 3, as if the failed request had never run.
    _ = session.runIfIdle(
      .plain { state throws(ServiceError) in
        try state.bind("c", c)
        return HTTPServerResponse(status: .ok)
      })
    #expect(describe(session) == "a=1,alias=1,b=2,c=3;bytes=36;nodes=5")
  }

  @Test func successfulRequestKeepsItsChangesAndLaterFailuresUndoOnlyTheirOwn() throws {
    let session = makeSession()
    let a = try Tensor.ones([2])
    let b = try Tensor.ones([3])
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      try state.bind("a", a)
      return HTTPServerResponse(status: .ok)
    }
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      try state.unbind("a")
      try state.bind("b", b)
      return HTTPServerResponse(status: .ok)
    }
    #expect(describe(session) == "b=2;bytes=12;nodes=0")
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      try state.bind("a", a)
      throw ServiceError.invalidArgument("refused")
    }
    #expect(describe(session) == "b=2;bytes=12;nodes=0")
  }
  @Test func failedRequestLeavesTheSessionsRandomGeneratorAsItWas() {
    let session = makeSession()
    func seed() -> String {
      let result = session.runIfIdle(
        .plain { state throws(ServiceError) in
          let text = state.randomGenerator.map { String($0.initialSeed) } ?? "none"
          return HTTPServerResponse(status: .ok, body: Array(text.utf8))
        })
      guard case .success(let response)? = result else { return "failed" }
      return String(decoding: response.body, as: UTF8.self)
    }
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      state.randomGenerator = RandomGenerator(seed: 7)
      throw ServiceError.invalidArgument("refused after seeding")
    }
    #expect(seed() == "none")
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      state.randomGenerator = RandomGenerator(seed: 7)
      return HTTPServerResponse(status: .ok)
    }
    #expect(seed() == "7")
    _ = session.runIfIdle { state, _ throws(ServiceError) in
      state.randomGenerator = RandomGenerator(seed: 8)
      state.randomGenerator = nil
      throw ServiceError.invalidArgument("refused after reseeding twice")
    }
    #expect(seed() == "7")
  }
}
