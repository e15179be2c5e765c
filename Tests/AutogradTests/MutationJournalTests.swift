import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

@Suite struct MutationJournalTests {
  @Test func rollbackRestoresValuesVersionsAndGradFns() throws {
    let x = try Tensor.ones([3], requiresGrad: true)
    let y = try op("mul", T(x), .int(2))
    let plain = try Tensor.zeros([3])
    let journal = MutationJournal()
    try journal.recording {
      _ = try op("add_", T(y), .int(1))
      _ = try op("setitem", T(plain), T(x), kwargs: ["index": .string("...")])
      try plain.setData(Tensor.ones([3]))
    }
    #expect(y.version == 1 && y.gradFn?.name == "AddBackward0" && values(y) == [3, 3, 3])
    #expect(plain.gradFn?.name == "CopyBackwards" && !plain.isLeaf)
    journal.rollback()
    #expect(y.version == 0 && y.gradFn?.name == "MulBackward0" && values(y) == [2, 2, 2])
    #expect(plain.gradFn == nil && plain.isLeaf && !plain.requiresGrad && plain.version == 0)
    #expect(values(plain) == [0, 0, 0])
  }

  @Test func rollbackRestoresGradsAndFreedBuffers() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    try op("sum", T(op("mul", T(x), .int(3)))).backward()
    let out = try op("sum", T(op("mul", T(x), T(x))))
    let journal = MutationJournal()
    try journal.recording {
      try out.backward()
      try x.zeroGrad()
    }
    #expect(values(x.grad) == [0, 0])
    #expect(out.gradFn?.nextNodes[0]?.savedValues.allSatisfy(\.freed) == true)
    journal.rollback()
    #expect(values(x.grad) == [3, 3])
    #expect(out.gradFn?.nextNodes[0]?.savedValues.allSatisfy { !$0.freed } == true)
    try out.backward()
    #expect(values(x.grad) == [5, 5])

    let j2 = MutationJournal()
    j2.recording { x.clearGrad() }
    #expect(x.grad == nil)
    j2.rollback()
    #expect(values(x.grad) == [5, 5])
  }

  @Test func commitKeepsChanges() throws {
    let y = try Tensor.zeros([2])
    let journal = MutationJournal()
    try journal.recording { _ = try op("fill_", T(y), .int(7)) }
    journal.commit()
    journal.rollback()
    #expect(values(y) == [7, 7] && y.version == 1)
  }
}
