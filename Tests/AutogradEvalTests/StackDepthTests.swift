import Autograd
import Foundation
import Synchronization
import Testing

@testable import AutogradEval

/// Expressions just under the nesting cap must evaluate on a thread with a small stack (server worker threads are
/// not the main thread), so the cap really is what keeps the recursive parser and evaluator from overflowing.
@Suite struct StackDepthTests {
  static let stackSize = Int(ProcessInfo.processInfo.environment["EVAL_STACK"] ?? "") ?? 512 * 1024

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
        text = try EvalProgram.run(source: source, environment: &environment).stdout
      } catch {
        text = "error: \(error)"
      }
      outcome.text.withLock { $0 = text }
      done.signal()
    }
    thread.stackSize = StackDepthTests.stackSize
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
