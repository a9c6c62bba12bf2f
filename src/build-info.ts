// Filled in by the esbuild bundle (scripts/build.mjs); "dev" when running from source.
declare const __ARK_HOOKS_VERSION__: string | undefined;
declare const __ARK_HOOKS_COMMIT__: string | undefined;

export const VERSION: string = typeof __ARK_HOOKS_VERSION__ === 'string' ? __ARK_HOOKS_VERSION__ : 'dev';
export const COMMIT: string = typeof __ARK_HOOKS_COMMIT__ === 'string' ? __ARK_HOOKS_COMMIT__ : 'unknown';
export const BINARY_NAME = 'kubectl ark-hooks';

export function versionLine(): string {
  return `kubectl-ark_hooks ${VERSION} (commit ${COMMIT}, node ${process.version})`;
}
