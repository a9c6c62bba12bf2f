// Loads roundtrip.ts (and with it the `yaml` library) on first use: only annotate --local needs it.
// From source this is a plain dynamic import; the bundle build (scripts/build.mjs) points it at
// dist/yaml.cjs, or at the yaml.cjs asset of a single executable.
export type RoundTrip = typeof import('./roundtrip.ts');

let loaded: Promise<RoundTrip> | undefined;

export function loadRoundTrip(): Promise<RoundTrip> {
  loaded ??= import('./roundtrip.ts');
  return loaded;
}
