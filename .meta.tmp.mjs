import { build } from 'esbuild';
const r = await build({ bundle: true, platform: 'node', format: 'cjs', target: 'node22', minify: true, write: false, metafile: true, entryPoints: [process.argv[2] ?? 'src/kube/index.ts'], outfile: '/tmp/i18mem/k.cjs', logLevel: 'error' });
const out = Object.values(r.metafile.outputs)[0];
console.log(Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 30).map(([k, v]) => `${(v.bytesInOutput / 1024).toFixed(0)}K ${k}`).join('\n'));
console.log(Object.keys(out.inputs).length, 'inputs');
