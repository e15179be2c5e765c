import Autograd
import HTTPServer

/// What a route's handler hands back: its response, or the work that must run alone in a session (behind its
/// gate). The caller enters the gate: on the I/O thread when the session is idle, in a task otherwise, so one
/// handler serves both and most requests need no task.
enum Reply {
  case response(HTTPServerResponse)
  case session(Session, SessionTask)

  static func inSession(
    _ session: Session,
    _ work: @escaping (inout SessionState) throws(ServiceError) -> HTTPServerResponse
  ) -> Reply {
    .session(session, .plain(work))
  }

  /// Work that reads only the request, its session and the limits: carried as values with a function that captures
  /// nothing, so no closure context is allocated per request (the most common replies go this way).
  static func inSession(
    _ session: Session, _ context: RequestContext, _ limits: SessionLimits,
    _ work: @escaping SessionRequestWork
  ) -> Reply {
    .session(session, .request(context, limits, work))
  }

  /// For work that hands the journal on to another thread (`/eval` runs its program on a thread of its own, where
  /// the thread-local journal would not be visible).
  static func inSession(_ session: Session, _ work: @escaping SessionWork) -> Reply {
    .session(session, .journaled(work))
  }
}

/// A request's work inside its session, run by `Session.run` or `Session.runIfIdle`. Two kinds rather than one
/// closure type, so the common kind is not wrapped in a second closure (an allocation per request) to take a
/// journal it ignores.
enum SessionTask {
  case plain((inout SessionState) throws(ServiceError) -> HTTPServerResponse)
  case journaled(SessionWork)
  case request(RequestContext, SessionLimits, SessionRequestWork)
}

/// Work given the session, the request and the limits as arguments (see `Reply.inSession(_:_:_:_:)`).
typealias SessionRequestWork = (Session, RequestContext, SessionLimits, inout SessionState)
  throws(ServiceError) -> HTTPServerResponse

/// Work that needs the session's journal itself.
typealias SessionWork = (inout SessionState, MutationJournal) throws(ServiceError) ->
  HTTPServerResponse
