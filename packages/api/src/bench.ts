// `@gatehouse/api/bench`: the session services the bench seeds with, so the server accepts its tokens (issue 16: no deep imports).
export { createSession, newSessionRecord, revokeSession } from "./services/sessions";
export { issueAccessToken } from "./services/tokens";
