// Common hook pairs for `annotate --preset`: read by the command's help, its completion and the
// annotate flow, so the three agree.

import type { Phase } from './types.ts';

export interface Preset {
  /** Needs --path, the mount point the hooks act on. */
  needsPath: boolean;
  describe: string;
  hooks: (path: string) => Partial<Record<Phase, string[]>>;
}

export const PRESETS: Record<string, Preset> = {
  fsfreeze: {
    needsPath: true,
    describe: 'freeze the filesystem at --path before the backup (pre) and thaw it after (post)',
    hooks: (path) => ({ pre: ['/sbin/fsfreeze', '--freeze', path], post: ['/sbin/fsfreeze', '--unfreeze', path] }),
  },
  sync: {
    needsPath: false,
    describe: 'flush dirty pages to disk before the backup (pre)',
    hooks: () => ({ pre: ['/bin/sync'] }),
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);
