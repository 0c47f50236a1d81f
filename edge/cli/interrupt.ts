// Ctrl-C during a streaming command (tail, live, drain) ends it cleanly: the connection to
// the agent is closed, the agent stops the stream, edgectl exits 0.
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
