import Autograd
import Foundation
import HTTPServer
import Synchronization
import Testing

@testable import AutogradService

/// `Session.runIfIdle`, the I/O thread's way in: it runs work only on an idle session and otherwise declines
/// without running anything, so the request can queue behind the one holding the session.
@Suite struct SessionGateTests {
  @Test func runIfIdleDeclinesWhileAnotherRequestHoldsTheSession() async throws {
    let session = Session(
      id: "s", owner: nil, ttl: 60, now: 0,
      limits: SessionLimits(maxTensors: 10, maxElements: 100, maxJacobianElements: 100))
    let holding = Flag()
    let release = DispatchSemaphore(value: 0)
    let holderDone = DispatchSemaphore(value: 0)
    Thread {
      _ = session.runIfIdle { _, _ in
        holding.set()
        release.wait()
        return HTTPServerResponse(status: .ok)
      }
      holderDone.signal()
    }.start()
    var waited = 0
    while !holding.isSet && waited < 2000 {
      usleep(1000)
      waited += 1
    }
    #expect(holding.isSet)

    let ran = Flag()
    let declined = session.runIfIdle { _, _ in
      ran.set()
      return HTTPServerResponse(status: .ok)
    }
    #expect(declined == nil)
    #expect(!ran.isSet)

    release.signal()
    holderDone.wait()
    let admitted = session.runIfIdle { _, _ in HTTPServerResponse(status: .accepted) }
    #expect((try? admitted?.get())?.status == .accepted)
  }

  @Test func failedImmediateWorkLeavesTheSessionAsItWas() async throws {
    let session = Session(
      id: "s", owner: nil, ttl: 60, now: 0,
      limits: SessionLimits(maxTensors: 10, maxElements: 100, maxJacobianElements: 100))
    let x = try Tensor.ones([2])
    let result = session.runIfIdle { state, _ throws(ServiceError) in
      _ = try state.bind("x", x)
      throw ServiceError.invalidArgument("refused after binding")
    }
    guard case .failure(let error) = result else {
      Issue.record("expected a failure")
      return
    }
    #expect(error.status == .badRequest)
    let names = session.runIfIdle { state, _ in
      HTTPServerResponse(status: .ok, body: Array(state.names.keys.sorted().joined().utf8))
    }
    #expect((try? names?.get())?.body == [])
  }
}

private final class Flag: Sendable {
  private let value = Atomic<Bool>(false)
  func set() { value.store(true, ordering: .sequentiallyConsistent) }
  var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
