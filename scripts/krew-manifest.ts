// The rules krew and krew-index apply to a plugin manifest (krew's internal/index/validation and
// cmd/validate-krew-manifest, plus the krew-index review rules), as a function that lists problems.

export const SUPPORTED_PLATFORMS = [
  'windows/386',
  'windows/amd64',
  'windows/arm64',
  'linux/386',
  'linux/amd64',
  'linux/arm',
  'linux/arm64',
  'linux/ppc64le',
  'darwin/386',
  'darwin/amd64',
  'darwin/arm64',
];
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function selectorMatches(selector: Obj, labels: Record<string, string>): boolean {
  const ml = isObj(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const me = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of me as Obj[]) {
    const value = labels[String(e.key)];
    const values = (e.values as string[] | undefined) ?? [];
    if (e.operator === 'In' && !values.includes(value as string)) return false;
    if (e.operator === 'NotIn' && values.includes(value as string)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

export function validateManifest(m: unknown, fileName = 'ark-hooks.yaml'): string[] {
  const p: string[] = [];
  if (!isObj(m)) return ['the manifest is not a YAML map'];
  if (m.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2')
    p.push(`apiVersion must be krew.googlecontainertools.github.com/v1alpha2, not ${String(m.apiVersion)}`);
  if (m.kind !== 'Plugin') p.push('kind must be Plugin');
  const name = isObj(m.metadata) ? m.metadata.name : undefined;
  if (typeof name !== 'string' || !/^[\w-]+$/.test(name) || WINDOWS_RESERVED.test(name))
    p.push(`metadata.name ${JSON.stringify(name)} is not a valid plugin name`);
  else if (fileName.replace(/\.yaml$/, '') !== name) p.push(`the manifest file must be named ${name}.yaml`);
  const spec = isObj(m.spec) ? m.spec : {};
  if (typeof spec.version !== 'string' || !/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(spec.version))
    p.push(`spec.version ${JSON.stringify(spec.version)} is not semver with a leading v`);
  const short = spec.shortDescription;
  if (typeof short !== 'string' || short.trim() === '') p.push('spec.shortDescription is required');
  else {
    if (short.length > 50) p.push(`spec.shortDescription is ${short.length} characters (at most 50)`);
    if (/\n/.test(short)) p.push('spec.shortDescription must be one line');
    if (/plugin|kubectl/i.test(short)) p.push('spec.shortDescription must not say "plugin" or "kubectl"');
  }
  if (typeof spec.description !== 'string' || spec.description.trim() === '') p.push('spec.description is required');
  else if (spec.description.split('\n').some((l) => l.length > 80)) p.push('spec.description lines must wrap at 80 columns');
  if (typeof spec.homepage !== 'string' || !/^https:\/\//.test(spec.homepage)) p.push('spec.homepage must be an https URL');
  if (spec.caveats !== undefined) {
    if (typeof spec.caveats !== 'string' || spec.caveats.trim() === '') p.push('spec.caveats must be text when present');
    else if (spec.caveats.split('\n').some((l) => l.length > 80)) p.push('spec.caveats lines must wrap at 80 columns');
  }
  const platforms = Array.isArray(spec.platforms) ? (spec.platforms as unknown[]) : [];
  if (platforms.length === 0) p.push('spec.platforms must not be empty');
  const covered = new Map<string, number>();
  platforms.forEach((pl, i) => {
    const at = `spec.platforms[${i}]`;
    if (!isObj(pl)) return p.push(`${at} must be a map`);
    const sel = pl.selector;
    if (!isObj(sel)) return p.push(`${at}.selector is required`);
    const keys = [
      ...Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}),
      ...((Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) as Obj[]).map((e) => String(e.key)),
    ];
    if (keys.some((k) => k !== 'os' && k !== 'arch')) p.push(`${at}.selector may only use the keys os and arch`);
    if (typeof pl.uri !== 'string' || !/^https:\/\//.test(pl.uri)) p.push(`${at}.uri must be an https URL`);
    if (typeof pl.sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(pl.sha256)) p.push(`${at}.sha256 must be 64 lower-case hex characters`);
    if (typeof pl.bin !== 'string' || pl.bin === '') p.push(`${at}.bin is required`);
    const matched = SUPPORTED_PLATFORMS.filter((s) => {
      const [os, arch] = s.split('/') as [string, string];
      return selectorMatches(sel, { os, arch });
    });
    if (matched.length === 0) p.push(`${at}.selector matches no supported os/arch`);
    for (const s of matched) {
      if (covered.has(s)) p.push(`${at} overlaps spec.platforms[${covered.get(s)}] on ${s}`);
      covered.set(s, i);
      if (s.startsWith('windows/') && typeof pl.bin === 'string' && !pl.bin.endsWith('.exe'))
        p.push(`${at}.bin must end in .exe on Windows`);
    }
    if (pl.files !== undefined && (!Array.isArray(pl.files) || pl.files.length === 0))
      p.push(`${at}.files must be a non-empty list when present`);
  });
  return p;
}
