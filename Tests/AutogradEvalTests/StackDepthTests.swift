import Autograd
import Foundation
import Synchronization
import Testing

@testable import AutogradEval

/// Expressions just under the nesting cap evaluate even when the caller's thread has a small stack, given
/// `EvalLimits.stackBytes`; past the cap they are refused, never overflowed.
@Suite struct StackDepthTests {
  /// The caller's small stack; the program itself asks for a thread of 16 MiB.
  static let callerStack = 512 * 1024
  static let limits = EvalLimits(stackBytes: 16 << 20)

  final class Outcome: Sendable {
    let text = Mutex<String>("")
  }

  private func runOnSmallStack(_ source: String) -> String {
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      var environment = InMemoryEvalEnvironment()
      let text: String
      do {
        text = try EvalProgram.run(
          source: source, environment: &environment, limits: StackDepthTests.limits
        ).stdout
      } catch {
        text = "error: \(error)"
      }
      outcome.text.withLock { $0 = text }
      done.signal()
    }
    thread.stackSize = StackDepthTests.callerStack
    thread.start()
    done.wait()
    return outcome.text.withLock { $0 }
  }

  @Test(arguments: [
    ("x = torch.ones(1)\nprint(" + String(repeating: "-", count: 90) + "x)", "tensor([1.])\n"),
    ("x = torch.ones(1)\nprint(x" + String(repeating: " + x", count: 90) + ")", "tensor([91.])\n"),
    ("x = torch.ones(1)\nprint(x" + String(repeating: " ** 1", count: 90) + ")", "tensor([1.])\n"),
    ("x = torch.ones(1)\nprint(x" + String(repeating: ".abs()", count: 44) + ")", "tensor([1.])\n"),
    (
      "print(" + String(repeating: "[", count: 90) + "1" + String(repeating: "]", count: 90)
        + " is None)", "False\n"
    ),
    (
      "x = torch.ones(1)\nprint(" + String(repeating: "(", count: 90) + "x"
        + String(repeating: ")", count: 90) + ")",
      "tensor([1.])\n"
    ),
  ])
  func deepButAllowedExpressionsRun(source: String, expected: String) {
    #expect(runOnSmallStack(source) == expected)
  }

  @Test func pastTheCapIsRefusedNotOverflowed() {
    let source = "x = torch.ones(1)\nprint(x" + String(repeating: " + x", count: 5000) + ")"
    #expect(runOnSmallStack(source).hasPrefix("error: limit_exceeded"))
  }
}
