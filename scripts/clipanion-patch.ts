// Build-time patches of clipanion 3.2.1, applied by scripts/build.mjs when it bundles the CLI; each
// replaces one exact piece of clipanion's text, and the build fails in one line when that text is not
// there (clipanion upgraded: update or drop the patch). Both cut the start-up of every command:
//
// - lib/core.js: clipanion compiles a state machine before parsing any command line; `simplifyMachine`
//   copies the transitions of every option's value node back into it and skips duplicates by scanning
//   the node's list (`Array.prototype.some`, destructuring each entry): quadratic in the number of
//   option names. `list` has ~60 of them, so this was ~7-10 ms of every `list` start-up, spent before a
//   single flag is read. The patched function skips duplicates with a Set per node and pushes the same
//   transitions in the same order, so the machine is the same (test/unit/clipanion-patch.test.ts
//   compares both machines for every command).
// - lib/advanced/Cli.js and lib/platform/node.js: `Cli.defaultContext` read `process.stdin` and the
//   default colour depth (loading node:tty, and with it node:net) when clipanion was loaded, ~2-3 ms.
//   Patched, both are getters that read them when used, left out of the contexts clipanion merges
//   (`{ ...Cli.defaultContext, ...context }`): our context gives every field but stdin, which a command
//   reads through BaseCommand.stdin (src/commands/base.ts) only when it needs it.

import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The function as clipanion 3.2.1 ships it. */
export const ORIGINAL = `function simplifyMachine(input) {
    const visited = new Set();
    const process = (node) => {
        if (visited.has(node))
            return;
        visited.add(node);
        const nodeDef = input.nodes[node];
        for (const transitions of Object.values(nodeDef.statics))
            for (const { to } of transitions)
                process(to);
        for (const [, { to }] of nodeDef.dynamics)
            process(to);
        for (const { to } of nodeDef.shortcuts)
            process(to);
        const shortcuts = new Set(nodeDef.shortcuts.map(({ to }) => to));
        while (nodeDef.shortcuts.length > 0) {
            const { to } = nodeDef.shortcuts.shift();
            const toDef = input.nodes[to];
            for (const [segment, transitions] of Object.entries(toDef.statics)) {
                const store = !Object.prototype.hasOwnProperty.call(nodeDef.statics, segment)
                    ? nodeDef.statics[segment] = []
                    : nodeDef.statics[segment];
                for (const transition of transitions) {
                    if (!store.some(({ to }) => transition.to === to)) {
                        store.push(transition);
                    }
                }
            }
            for (const [test, transition] of toDef.dynamics)
                if (!nodeDef.dynamics.some(([otherTest, { to }]) => test === otherTest && transition.to === to))
                    nodeDef.dynamics.push([test, transition]);
            for (const transition of toDef.shortcuts) {
                if (!shortcuts.has(transition.to)) {
                    nodeDef.shortcuts.push(transition);
                    shortcuts.add(transition.to);
                }
            }
        }
    };
    process(constants.NODE_INITIAL);
}`;

/**
 * The same walk; a dynamic transition is a duplicate when the node already has one with the same
 * test (the same array or string, compared with ===, as before) to the same node, and a static one
 * when the segment already leads to that node. A node with no dynamic transitions yet takes those of
 * a node that repeats none as they are (the same [test, transition] pairs, which nothing changes
 * after this; clipanion made a new pair of the same two for each).
 */
export const PATCHED = `function simplifyMachine(input) {
    const visited = new Set();
    // Whether a node's dynamic transitions hold no (test, to) twice; a node's list only grows, so
    // the answer holds while its length is the same.
    const unique = new Map();
    const isUnique = (node) => {
        const list = input.nodes[node].dynamics;
        const known = unique.get(node);
        if (known !== undefined && known.length === list.length)
            return known.unique;
        const pairs = new Map();
        let result = true;
        for (let i = 0; i < list.length && result; i++) {
            let tos = pairs.get(list[i][0]);
            if (tos === undefined)
                pairs.set(list[i][0], tos = new Set());
            if (tos.has(list[i][1].to))
                result = false;
            tos.add(list[i][1].to);
        }
        unique.set(node, { length: list.length, unique: result });
        return result;
    };
    const process = (node) => {
        if (visited.has(node))
            return;
        visited.add(node);
        const nodeDef = input.nodes[node];
        for (const transitions of Object.values(nodeDef.statics))
            for (let i = 0; i < transitions.length; i++)
                process(transitions[i].to);
        for (let i = 0; i < nodeDef.dynamics.length; i++)
            process(nodeDef.dynamics[i][1].to);
        for (let i = 0; i < nodeDef.shortcuts.length; i++)
            process(nodeDef.shortcuts[i].to);
        if (nodeDef.shortcuts.length === 0)
            return;
        const shortcuts = new Set(nodeDef.shortcuts.map(({ to }) => to));
        let dynamics = null;
        const seen = (test, to) => {
            if (dynamics === null) {
                dynamics = new Map();
                for (let i = 0; i < nodeDef.dynamics.length; i++)
                    seen(nodeDef.dynamics[i][0], nodeDef.dynamics[i][1].to);
            }
            let tos = dynamics.get(test);
            if (tos === undefined)
                dynamics.set(test, tos = new Set());
            if (tos.has(to))
                return true;
            tos.add(to);
            return false;
        };
        while (nodeDef.shortcuts.length > 0) {
            const { to } = nodeDef.shortcuts.shift();
            const toDef = input.nodes[to];
            for (const [segment, transitions] of Object.entries(toDef.statics)) {
                const store = !Object.prototype.hasOwnProperty.call(nodeDef.statics, segment)
                    ? nodeDef.statics[segment] = []
                    : nodeDef.statics[segment];
                const tos = new Set(store.map((t) => t.to));
                for (const transition of transitions) {
                    if (!tos.has(transition.to)) {
                        store.push(transition);
                        tos.add(transition.to);
                    }
                }
            }
            if (nodeDef.dynamics.length === 0 && dynamics === null && isUnique(to)) {
                // An option's value node takes all the transitions of the option node, none repeated.
                for (let i = 0; i < toDef.dynamics.length; i++)
                    nodeDef.dynamics.push(toDef.dynamics[i]);
            } else {
                for (let i = 0; i < toDef.dynamics.length; i++) {
                    const [test, transition] = toDef.dynamics[i];
                    if (!seen(test, transition.to))
                        nodeDef.dynamics.push([test, transition]);
                }
            }
            for (const transition of toDef.shortcuts) {
                if (!shortcuts.has(transition.to)) {
                    nodeDef.shortcuts.push(transition);
                    shortcuts.add(transition.to);
                }
            }
        }
    };
    process(constants.NODE_INITIAL);
}`;

/** `text` with `original` replaced by `patched`; throws when `original` is not in it exactly once. */
function replaceOnce(file: string, what: string, source: string, original: string, patched: string): string {
  const text = source.replace(/\r\n/g, '\n');
  const at = text.indexOf(original);
  if (at < 0 || text.indexOf(original, at + 1) >= 0)
    throw new Error(
      `clipanion/${file}: ${what} is not the one scripts/clipanion-patch.ts patches (clipanion upgraded?); update or drop the patch`,
    );
  return text.slice(0, at) + patched + text.slice(at + original.length);
}

/** clipanion's lib/core.js with the patched simplifyMachine. */
export function patchClipanionCore(source: string): string {
  return replaceOnce('lib/core.js', 'simplifyMachine', source, ORIGINAL, PATCHED);
}

export const DEFAULT_CONTEXT = `Cli.defaultContext = {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    colorDepth: platform.getDefaultColorDepth(),
};`;

export const LAZY_DEFAULT_CONTEXT = `Cli.defaultContext = {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
};
Object.defineProperties(Cli.defaultContext, {
    stdin: { get: () => process.stdin, enumerable: false, configurable: true },
    colorDepth: { get: () => platform.getDefaultColorDepth(), enumerable: false, configurable: true },
});`;

/** clipanion's lib/advanced/Cli.js with stdin and colorDepth of the default context read when used. */
export function patchClipanionCli(source: string): string {
  return replaceOnce('lib/advanced/Cli.js', 'Cli.defaultContext', source, DEFAULT_CONTEXT, LAZY_DEFAULT_CONTEXT);
}

/** clipanion's lib/platform/node.js with node:tty required when the colour depth is asked for. */
export function patchClipanionPlatform(source: string): string {
  return replaceOnce(
    'lib/platform/node.js',
    "require('tty')",
    source,
    "var tty = require('tty');",
    "var tty = { get WriteStream() { return require('tty').WriteStream; } };",
  );
}

const PATCHES: [RegExp, (source: string) => string][] = [
  [/[\\/]clipanion[\\/]lib[\\/]core\.js$/, patchClipanionCore],
  [/[\\/]clipanion[\\/]lib[\\/]advanced[\\/]Cli\.js$/, patchClipanionCli],
  [/[\\/]clipanion[\\/]lib[\\/]platform[\\/]node\.js$/, patchClipanionPlatform],
];

/** The esbuild plugin: clipanion's lib/core.js, lib/advanced/Cli.js and lib/platform/node.js, patched. */
export const clipanionPatch: Plugin = {
  name: 'clipanion-patch',
  setup(b) {
    for (const [filter, patch] of PATCHES)
      b.onLoad({ filter }, async (args) => ({ contents: patch(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};
