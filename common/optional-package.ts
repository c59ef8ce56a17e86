// Packages a production install leaves out (optional peers: the OTLP exporter, the terminal chat's
// UI, the Docker client): loaded when a feature first needs one. Only Node failing to find the
// package itself counts as "not installed"; an error inside an installed one is passed on as it is.

/** Whether `error` says that the package `name` (not some module it imports) cannot be found. */
export function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && (message.includes(`'${name}'`) || message.includes(`'${name}/`) || message.includes(` ${name}`));
}
