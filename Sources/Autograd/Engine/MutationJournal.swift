#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Undo log for one unit of work (a request, a batch of ops, an /eval program).
///
/// Run the work inside `recording { ... }`; every mutation the engine makes meanwhile (in-place values,
/// version counters, grad_fn rebases, requires_grad/is_leaf, `.grad`, freed saved values) is recorded first.
/// `rollback()` restores all of it; `commit()` forgets the log. New tensors made by the work are simply
/// dropped by the caller.
public final class MutationJournal {
  private var undo: [() -> Void] = []
  private var seen: Set<ObjectIdentifier> = []
  /// Version counters apart from storages: a fresh tensor's storage is its version counter too.
  private var seenCounters: Set<ObjectIdentifier> = []
  private var seenMeta: Set<ObjectIdentifier> = []
  private var seenSaved: Set<ObjectIdentifier> = []

  public init() {}

  /// Carries the journal down the synchronous call stack of the thread running the unit of work: a thread-local
  /// slot, which costs a load, where a task-local value cost an allocation and a push and pop per request (and the
  /// work is synchronous, so it never moves to another thread while it records; `/eval`, which does, passes the
  /// journal on and calls `recording` again there).
  private static let slot: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  static var current: MutationJournal? {
    guard let raw = pthread_getspecific(slot) else { return nil }
    return Unmanaged<MutationJournal>.fromOpaque(raw).takeUnretainedValue()
  }

  /// Runs `body` with this journal recording the engine's mutations (on this thread; the journal stays alive
  /// meanwhile because the caller holds it).
  public func recording<R>(_ body: () throws -> R) rethrows -> R {
    let outer = pthread_getspecific(MutationJournal.slot)
    pthread_setspecific(MutationJournal.slot, Unmanaged.passUnretained(self).toOpaque())
    defer { pthread_setspecific(MutationJournal.slot, outer) }
    return try withExtendedLifetime(self) { try body() }
  }

  /// Restores everything recorded, newest first, and empties the log.
  public func rollback() {
    for action in undo.reversed() { action() }
    commit()
  }

  /// Keeps the changes and empties the log.
  public func commit() {
    undo = []
    seen = []
    seenCounters = []
    seenMeta = []
    seenSaved = []
  }

  /// Snapshots the storage bytes and version counter behind `t` (once per journal).
  func recordStorage(_ t: Tensor) {
    let storage = t.storage
    if seen.insert(ObjectIdentifier(storage)).inserted {
      let copy = UnsafeMutableRawPointer.allocate(
        byteCount: max(storage.byteCount, 1), alignment: 64)
      copy.copyMemory(from: storage.bytes, byteCount: storage.byteCount)
      let holder = RawCopy(copy)
      undo.append { storage.bytes.copyMemory(from: holder.bytes, byteCount: storage.byteCount) }
    }
    recordVersion(t.versionCounter)
  }

  func recordVersion(_ counter: VersionCounter) {
    if seenCounters.insert(ObjectIdentifier(counter)).inserted {
      let value = counter.value
      undo.append { counter.value = value }
    }
  }

  /// Snapshots a tensor's autograd fields (grad_fn, requires_grad, is_leaf, `.grad`, retain_grad).
  func recordMeta(_ t: Tensor) {
    guard seenMeta.insert(ObjectIdentifier(t)).inserted else { return }
    let requiresGrad = t.requiresGradStorage
    let gradFn = t.gradFnStorage
    let outputNr = t.outputNr
    let grad = t.gradStorage
    let retains = t.retainsGradStorage
    let viewVersion = t.viewGradFnVersion
    undo.append {
      t.requiresGradStorage = requiresGrad
      t.gradFnStorage = gradFn
      t.outputNr = outputNr
      t.gradStorage = grad
      t.retainsGradStorage = retains
      t.viewGradFnVersion = viewVersion
    }
  }

  /// Snapshots a node's saved values before backward frees them.
  func recordSaved(_ node: Node) {
    guard seenSaved.insert(ObjectIdentifier(node)).inserted else { return }
    let saved = node.saved
    let released = node.released
    undo.append {
      node.saved = saved
      node.released = released
    }
  }
}

/// Owns a snapshot allocation until the journal is dropped.
private final class RawCopy {
  let bytes: UnsafeMutableRawPointer
  init(_ bytes: UnsafeMutableRawPointer) { self.bytes = bytes }
  deinit { bytes.deallocate() }
}
