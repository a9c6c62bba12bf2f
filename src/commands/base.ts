// Shared flags and the error boundary of every command. A command's run() parses nothing itself:
// it reads its typed option fields, calls into src/, renders, and returns the exit code.

import { Command, Option } from 'clipanion';
import type { BaseContext } from 'clipanion';
import { EXIT_FAILURE, UserError, isUserError, oneLine } from '../errors.ts';
import { PHASES } from '../hooks/types.ts';
import type { ScopeConfig } from '../flows/inventory.ts';
import type { ClusterOptions } from '../kube/cluster.ts';
import type { Style } from '../output/term.ts';
import { escapeLine, escapeTerminal } from '../output/escape.ts';
import { redact } from '../redact.ts';
import { levelFlag, oneOf, phaseFlag, targetFlag } from './flags.ts';

/** kubectl's -v level from which unexpected errors show their stack traces (and each API request is logged). */
const STACK_TRACE_LEVEL = 6;

/** The limit of one -f file (manifests/load.ts MAX_MANIFEST_BYTES), kept here to load no YAML code at start-up. */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;
import { COLOR_MODES, colorEnabled, makeStyle } from '../output/term.ts';

export interface Context extends BaseContext {
  env: NodeJS.ProcessEnv;
  /** The words after a lone `--`, for commands that take a command line (annotate, wrap). */
  afterDashes?: string[];
}

/** Reads stdin up to `max` bytes (the -f size limit): endless input ends in one line, not in memory. */
export function readAll(stream: NodeJS.ReadableStream, max = MAX_STDIN_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > max) {
        stream.removeListener('data', onData);
        stream.pause();
        reject(new UserError(`stdin holds more than ${max / 1024 / 1024} MiB; pass a smaller manifest, or files or a directory with -f`));
        return;
      }
      chunks.push(b);
    };
    stream.on('data', onData);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

export abstract class BaseCommand extends Command<Context> {
  color = Option.String('--color', 'auto', {
    description:
      'When to colour the output: auto (only on a terminal, not with NO_COLOR), always or never; --color alone: always, --no-color: never',
    validator: oneOf('--color', COLOR_MODES),
  });
  v = Option.String('-v,--v', {
    description:
      "kubectl's log level: 6 logs every API request to stderr (method, URL, status, time), 7 adds request headers, 8 response headers and bodies cut at 1024 characters; 6 and up also show stack traces of unexpected errors",
    validator: levelFlag(),
  });
  verbose = Option.Boolean('--verbose', false, { hidden: true, description: 'Stack traces of unexpected errors (as -v=6 does)' });

  /** kubectl's -v level (0 when not given). */
  get verbosity(): number {
    return this.v ?? 0;
  }

  abstract run(): Promise<number>;

  /**
   * The command's stdin. The process's is created only here, when a command reads it (creating
   * process.stdin loads Node's file, readline and stream modules: ~2 ms of every start-up), so the
   * context of src/entry.ts gives none; the bundle's clipanion does not make one either
   * (scripts/clipanion-patch.ts).
   */
  get stdin(): NodeJS.ReadableStream {
    return (this.context.stdin as NodeJS.ReadableStream | undefined) ?? process.stdin;
  }

  style(stream: { isTTY?: boolean } = this.context.stdout as unknown as { isTTY?: boolean }): Style {
    return makeStyle(colorEnabled(stream, this.context.env, this.color));
  }

  /** Writes one -v log line to stderr, its control characters escaped (it holds server data). */
  logLine = (line: string): void => {
    this.context.stderr.write(`${escapeLine(line)}\n`);
  };

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (e) {
      if (isUserError(e)) {
        const msg = escapeLine(redact(oneLine(e.message)));
        this.context.stderr.write(`${msg.startsWith('Error from server') ? msg : `error: ${msg}`}\n`);
        return e.exitCode;
      }
      const err = e as Error;
      this.context.stderr.write(
        `error: unexpected failure: ${escapeLine(redact(oneLine(err?.message ?? String(e))))} (this is a bug; run again with -v=6 for details)\n`,
      );
      if ((this.verbose || this.verbosity >= STACK_TRACE_LEVEL) && err?.stack)
        this.context.stderr.write(escapeTerminal(redact(err.stack)) + '\n');
      return EXIT_FAILURE;
    }
  }
}

/** kubectl's connection flags, which kubectl passes through to plugins untouched. */
export abstract class KubeCommand extends BaseCommand {
  kubeconfig = Option.String('--kubeconfig', { description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' });
  kubeContext = Option.String('--context', { description: 'The kubeconfig context to use' });
  cluster = Option.String('--cluster', { description: 'The kubeconfig cluster to use' });
  user = Option.String('--user', { description: 'The kubeconfig user to use' });
  namespace = Option.String('-n,--namespace', { description: "Namespace (default: the context's namespace)" });
  requestTimeout = Option.String('--request-timeout', {
    description: 'How long to wait for each API request, e.g. 30s (default 0: no limit)',
  });
  server = Option.String('-s,--server', { description: "The address and port of the Kubernetes API server (over the kubeconfig's)" });
  token = Option.String('--token', { description: "Bearer token for authentication to the API server (replaces the user's credentials)" });
  as = Option.String('--as', { description: 'Username to impersonate for the operation (a user or a service account)' });
  asGroup = Option.Array('--as-group', [], {
    description: 'Group to impersonate for the operation; repeat for several groups (needs --as)',
  });
  asUid = Option.String('--as-uid', { description: 'UID to impersonate for the operation (needs --as)' });
  insecureSkipTlsVerify = Option.Boolean('--insecure-skip-tls-verify', false, {
    description: "Don't check the server's certificate (insecure; not with --certificate-authority)",
  });
  certificateAuthority = Option.String('--certificate-authority', { description: 'Path to a cert file for the certificate authority' });
  clientCertificate = Option.String('--client-certificate', { description: 'Path to a client certificate file for TLS' });
  clientKey = Option.String('--client-key', { description: 'Path to a client key file for TLS' });
  tlsServerName = Option.String('--tls-server-name', {
    description: "Server name to use for server certificate validation (default: the server address's host)",
  });
  disableCompression = Option.Boolean('--disable-compression', false, {
    description: 'Do not ask the server for compressed responses',
  });

  kubeOptions(): ClusterOptions {
    return {
      kubeconfig: this.kubeconfig,
      context: this.kubeContext,
      cluster: this.cluster,
      user: this.user,
      namespace: this.namespace,
      requestTimeout: this.requestTimeout,
      server: this.server,
      token: this.token,
      as: this.as,
      asGroups: this.asGroup,
      asUid: this.asUid,
      insecureSkipTlsVerify: this.insecureSkipTlsVerify,
      certificateAuthority: this.certificateAuthority,
      clientCertificate: this.clientCertificate,
      clientKey: this.clientKey,
      tlsServerName: this.tlsServerName,
      disableCompression: this.disableCompression,
      verbosity: this.verbosity,
      logSink: this.logLine,
    };
  }
}

export const TARGET_DESCRIPTION =
  'The Ark/Velero version to judge by: a target (velero-1.18, ark-0.9) or a version (1.12.3); default: $ARK_HOOKS_TARGET, else detected from the cluster, else the newest Velero';

/** --target, else $ARK_HOOKS_TARGET: the text and where it came from. */
export function targetChoice(flag: string | undefined, env: NodeJS.ProcessEnv): { target?: string; targetSource?: string } {
  if (flag !== undefined) return { target: flag, targetSource: '--target' };
  const fromEnv = env.ARK_HOOKS_TARGET;
  if (fromEnv !== undefined && fromEnv !== '') return { target: fromEnv, targetSource: 'ARK_HOOKS_TARGET' };
  return {};
}

/** The scope flags of list, validate, dry-run and run. */
export abstract class ScopeCommand extends KubeCommand {
  allNamespaces = Option.Boolean('-A,--all-namespaces', false, { description: 'Look at pods in every namespace' });
  selector = Option.String('-l,--selector', { description: 'Only pods whose labels match this selector, e.g. app=db,tier!=cache' });
  phase = Option.String('--phase', { description: 'Only this phase: pre or post (default: both)', validator: phaseFlag() });
  files = Option.Array('-f,--filename', [], {
    description: 'Read manifests from a file, a directory (recursively) or - (stdin) instead of a cluster; repeatable',
  });
  backup = Option.String('--backup', { description: 'Only pods that this Backup would back up, with its spec hooks' });
  backupFile = Option.String('--backup-file', { description: 'Like --backup, with the Backup read from a file' });
  backupNamespace = Option.String('--backup-namespace', { description: 'Namespace of the Backup (default: velero, then heptio-ark)' });
  target = Option.String('--target', { description: TARGET_DESCRIPTION, validator: targetFlag() });
  flavor = Option.String('--flavor', {
    hidden: true,
    description: 'Deprecated: use --target (ark: the newest Ark, velero: the newest Velero)',
    validator: oneOf('--flavor', ['auto', 'ark', 'velero'], 'use --target instead'),
  });

  scopeConfig(): ScopeConfig {
    let choice = targetChoice(this.target, this.context.env);
    if (this.flavor !== undefined) {
      this.context.stderr.write(
        `warning: --flavor is deprecated: the target decides which annotations are read; use --target${this.flavor === 'auto' ? '' : ` ${this.flavor}`}\n`,
      );
      if (this.flavor !== 'auto' && this.target === undefined) choice = { target: this.flavor, targetSource: '--flavor' };
    }
    return {
      ...choice,
      files: this.files ?? [],
      namespace: this.namespace,
      allNamespaces: this.allNamespaces,
      selector: this.selector,
      phases: this.phase ? [this.phase] : [...PHASES],
      backupName: this.backup,
      backupFile: this.backupFile,
      backupNamespace: this.backupNamespace,
      kube: this.kubeOptions(),
    };
  }

  inventoryIO() {
    return {
      readStdin: () => readAll(this.stdin),
      env: this.context.env,
      warn: (m: string) => void this.context.stderr.write(`warning: ${escapeLine(m)}\n`),
      note: (line: string) => void this.context.stderr.write(`${line}\n`),
    };
  }
}
