// Secrets never reach the output: a password in a URL's user-info is shown as "user:***" (as kubectl
// shows it), and the kubeconfig's own secrets (tokens, passwords) registered at load time are masked
// wherever a message would repeat them, error messages and -v stack traces included.

// One registry per process: the main bundle and dist/kube.cjs each carry a copy of this module.
const KEY = Symbol.for('kubectl-ark-hooks.secrets');
const secrets: Set<string> = ((globalThis as Record<symbol, unknown>)[KEY] as Set<string> | undefined) ?? new Set<string>();
(globalThis as Record<symbol, unknown>)[KEY] = secrets;

/** Remembers a secret value (a token, a password) so that redact() masks it. Values shorter than 12 characters are ignored (they would mask ordinary words). */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.trim().length >= 12) secrets.add(value.trim());
}

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;

/** A URL with its password (if any) shown as ***. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** Masks URL passwords and every registered secret in a text. */
export function redact(text: string): string {
  let out = redactUrl(text);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}
