import Autograd
import HTTPServer

/// What a route's handler hands back: its response, or the work that must run alone in a session (behind its
/// gate). The caller enters the gate: on the I/O thread when the session is idle, in a task otherwise, so one
/// handler serves both and most requests need no task.
enum Reply {
  case response(HTTPServerResponse)
  case session(Session, SessionWork)

  static func inSession(
    _ session: Session,
    _ work: @escaping (inout SessionState) throws(ServiceError) -> HTTPServerResponse
  ) -> Reply {
    .session(session) { (state: inout SessionState, _: MutationJournal) throws(ServiceError) in
      try work(&state)
    }
  }

  /// For work that hands the journal on to another thread (`/eval` runs its program on a thread of its own, where
  /// the task-local journal would not be visible).
  static func inSession(_ session: Session, _ work: @escaping SessionWork) -> Reply {
    .session(session, work)
  }
}

/// A request's work inside its session, run by `Session.run` or `Session.runIfIdle`.
typealias SessionWork = (inout SessionState, MutationJournal) throws(ServiceError) ->
  HTTPServerResponse
