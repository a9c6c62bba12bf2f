// kubectl's -v request log, in the shape kubectl (client-go's round trippers, klog) prints it, under our own
// file names: -v=6 one line per request (method, URL, status, time), -v=7 the request line and its headers,
// -v=8 the response headers and the request and response bodies cut at 1024 characters (-v=9: 10240,
// -v=10: whole). Credentials are masked as kubectl masks them (Authorization: Bearer <masked>) and every
// line goes through redact(); the sink writes to stderr and escapes control characters (server data).

import { STATUS_CODES } from 'node:http';
import { redact, redactUrl } from '../redact.ts';

/** The level from which each request is logged (kubectl's -v=6). */
export const REQUEST_LEVEL = 6;
export const HEADERS_LEVEL = 7;
export const BODIES_LEVEL = 8;

export type HeaderList = readonly (readonly [string, string])[];

export interface RequestLogOptions {
  level: number;
  /** Receives one line at a time, without its newline; it must escape control characters. */
  sink: (line: string) => void;
  now?: () => Date;
  pid?: number;
}

/** How much of a body kubectl shows at a level (client-go's truncateBody). */
export function bodyLimit(level: number): number {
  if (level >= 10) return Number.POSITIVE_INFINITY;
  return level >= 9 ? 10240 : 1024;
}

export function truncateBody(body: string, level: number): string {
  const max = bodyLimit(level);
  return body.length <= max ? body : `${body.slice(0, max)} [truncated ${body.length - max} chars]`;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization']);

/** A header value as kubectl logs it: credentials masked, the scheme kept ("Bearer <masked>"). */
export function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = /^(Bearer|Basic)\s/i.exec(value);
  return scheme ? `${scheme[1]} <masked>` : '<masked>';
}

/** A header name as Go prints it (Content-Type), whatever case it came in. */
export const canonicalHeader = (name: string): string =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** klog's line header: Lmmdd hh:mm:ss.uuuuuu threadid file] (local time, as klog). */
export function klogHeader(at: Date, pid: number, file: string): string {
  const date = `${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds() * 1000, 6)}`;
  return `I${date} ${time} ${String(pid).padStart(7)} ${file}] `;
}

export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
}

export class RequestLog {
  readonly level: number;
  private readonly sink: (line: string) => void;
  private readonly now: () => Date;
  private readonly pid: number;

  constructor(o: RequestLogOptions) {
    this.level = o.level;
    this.sink = o.sink;
    this.now = o.now ?? (() => new Date());
    this.pid = o.pid ?? process.pid;
  }

  get enabled(): boolean {
    return this.level >= REQUEST_LEVEL;
  }

  private line(file: string, text: string): void {
    this.sink(klogHeader(this.now(), this.pid, file) + redact(text));
  }

  /** Before sending: -v=7 the request line and headers, -v=8 the request body. */
  request(file: string, method: string, url: string, headers: HeaderList, body?: string): void {
    if (this.level < HEADERS_LEVEL) return;
    if (this.level >= BODIES_LEVEL && body !== undefined) this.line(file, `Request Body: ${truncateBody(body, this.level)}`);
    this.line(file, `${method} ${redactUrl(url)}`);
    this.line(file, 'Request Headers:');
    for (const [name, value] of headers) this.line(file, `    ${canonicalHeader(name)}: ${maskHeader(name, value)}`);
  }

  /** After the answer's headers: -v=6 the one-line summary; -v=7 the status; -v=8 the response headers. */
  response(file: string, method: string, url: string, status: number, ms: number, headers: HeaderList): void {
    if (this.level < REQUEST_LEVEL) return;
    const took = `${statusText(status)} in ${Math.round(ms)} milliseconds`;
    if (this.level < HEADERS_LEVEL) {
      this.line(file, `${method} ${redactUrl(url)} ${took}`);
      return;
    }
    this.line(file, `Response Status: ${took}`);
    if (this.level < BODIES_LEVEL) return;
    this.line(file, 'Response Headers:');
    for (const [name, value] of headers) this.line(file, `    ${canonicalHeader(name)}: ${maskHeader(name, value)}`);
  }

  /** -v=8: the response body, cut as kubectl cuts it. */
  responseBody(file: string, body: string): void {
    if (this.level >= BODIES_LEVEL) this.line(file, `Response Body: ${truncateBody(body, this.level)}`);
  }

  /** A request that got no answer (refused, reset, timed out). */
  failed(file: string, method: string, url: string, ms: number, error: unknown): void {
    if (this.level < REQUEST_LEVEL) return;
    const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    const why = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
    this.line(file, `${method} ${redactUrl(url)} failed in ${Math.round(ms)} milliseconds: ${String(why)}`);
  }
}
