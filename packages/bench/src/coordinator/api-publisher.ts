// The backend side: publishes through the server HTTP API, one keep-alive connection per stream
// and one request at a time, so a stream's messages reach the server in order. Messages due
// while a request is out wait and go in the next one (`/api/batch`), as a real backend's
// batching would; single mode sends one publish per request (goim's "pushes").
// The publish time is stamped when the request is written.

import { Agent, request } from 'node:http';
import { buildData } from '../plan/corpus.ts';
import { kindAt } from '../plan/kinds.ts';
import { formatId, nowUs } from '../plan/message-id.ts';
import { textKeyHash } from '../plan/text-key.ts';

const MAX_BATCH = 500;
const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiStreamOptions {
  stream: number;
  kind: number;
  host: string;
  port: number;
  apiKey: string;
  channels: readonly string[];
  single: boolean;
  /** Most messages waiting; beyond, new ones are not sent (counted as backlog). */
  maxQueue: number;
  /** Keep a log of chat texts and their publish times (for latency of merged lines). */
  logTexts?: boolean;
}

/** Chat publish times by text key (textKeyHash), ascending: what merged lines stand for. */
export type TextLog = Map<number, number[]>;

export class ApiStream {
  sent = 0;
  accepted = 0;
  backlogDropped = 0;
  readonly errors = new Map<string, number>();
  readonly acceptedByChannel: Float64Array;
  /** Accepted publications per channel over the whole phase (warm-up and drain included). */
  readonly acceptedAllByChannel: Float64Array;
  /** Messages the plan asked this stream to publish over the whole phase (sent or not). */
  readonly offeredAllByChannel: Float64Array;
  readonly textLog: TextLog = new Map();
  private readonly o: ApiStreamOptions;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly seq: Int32Array;
  private readonly quoted: string[];
  private queue: number[] = [];
  private inflight = false;
  private closed = false;
  /** Inside the measured window: only publishes sent now count in sent/accepted/errors. */
  recording = false;
  /** A request to send again (its connection was reset as it went out). */
  private retry: { items: number[]; bodies: string[]; counted: boolean } | undefined;

  constructor(o: ApiStreamOptions) {
    this.o = o;
    this.acceptedByChannel = new Float64Array(o.channels.length);
    this.acceptedAllByChannel = new Float64Array(o.channels.length);
    this.offeredAllByChannel = new Float64Array(o.channels.length);
    this.seq = new Int32Array(o.channels.length).fill(-1);
    this.quoted = o.channels.map((c) => JSON.stringify(c));
  }

  get idle(): boolean {
    return !this.inflight && this.queue.length === 0 && this.retry === undefined;
  }

  enqueue(channel: number): void {
    if (this.closed) return;
    this.offeredAllByChannel[channel] = (this.offeredAllByChannel[channel] ?? 0) + 1;
    if (this.queue.length >= this.o.maxQueue) {
      if (this.recording) this.backlogDropped++;
      return;
    }
    this.queue.push(channel);
    this.pump();
  }

  private item(channel: number): string {
    const seq = (this.seq[channel] ?? -1) + 1;
    this.seq[channel] = seq;
    const k = kindAt(this.o.kind);
    const t = nowUs();
    const id = formatId(k.code, this.o.stream, seq, t);
    const data = buildData(this.o.kind, this.o.stream, channel, seq, id);
    if (this.o.logTexts) {
      const text = (JSON.parse(data) as { text?: unknown }).text;
      if (typeof text === 'string') {
        const key = textKeyHash(text);
        const list = this.textLog.get(key);
        if (list) list.push(t);
        else this.textLog.set(key, [t]);
      }
    }
    return `{"channel":${this.quoted[channel]},"data":${data},"priority":"${k.priority}"}`;
  }

  private pump(): void {
    if (this.closed || this.inflight) return;
    const again = this.retry;
    this.retry = undefined;
    if (!again && this.queue.length === 0) return;
    const items = again ? again.items : this.queue.splice(0, this.o.single ? 1 : MAX_BATCH);
    const bodies = again ? again.bodies : items.map((ch) => this.item(ch));
    const counted = again ? again.counted : this.recording;
    const single = items.length === 1;
    const body = single
      ? (bodies[0] as string)
      : `{"commands":[${bodies.map((b) => `{"publish":${b}}`).join(',')}]}`;
    this.inflight = true;
    if (counted && !again) this.sent += items.length;
    const req = request(
      {
        host: this.o.host,
        port: this.o.port,
        method: 'POST',
        path: single ? '/api/publish' : '/api/batch',
        agent: this.agent,
        headers: {
          'x-api-key': this.o.apiKey,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.settle(items, single, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), counted);
          this.inflight = false;
          this.pump();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      this.inflight = false;
      // A kept-alive connection the server closed as this request went out: send it again, once.
      if (err.code === 'ECONNRESET' && req.reusedSocket && !again) {
        this.retry = { items, bodies, counted };
        setImmediate(() => this.pump());
        return;
      }
      if (counted) this.bump(`http-${err.code ?? err.message}`, items.length);
      setTimeout(() => this.pump(), 50).unref();
    });
    req.end(body);
  }

  private bump(key: string, n = 1): void {
    this.errors.set(key, (this.errors.get(key) ?? 0) + n);
  }

  private ok(channel: number, counted: boolean): void {
    this.acceptedAllByChannel[channel] = (this.acceptedAllByChannel[channel] ?? 0) + 1;
    if (!counted) return;
    this.accepted++;
    this.acceptedByChannel[channel] = (this.acceptedByChannel[channel] ?? 0) + 1;
  }

  /** Replies of a request; figures of the window only when it was sent inside it (`counted`). */
  private settle(items: number[], single: boolean, status: number, text: string, counted: boolean): void {
    const bump = (key: string, n = 1): void => {
      if (counted) this.bump(key, n);
    };
    if (status !== 200) {
      bump(`http-${status}`, items.length);
      return;
    }
    try {
      const r = JSON.parse(text) as {
        result?: unknown;
        error?: { code?: number };
        replies?: { error?: { code?: number } }[];
      };
      if (single) {
        if (r.error) bump(String(r.error.code ?? 0));
        else this.ok(items[0] as number, counted);
        return;
      }
      items.forEach((ch, i) => {
        const e = r.replies?.[i]?.error;
        if (e) bump(String(e.code ?? 0));
        else if (r.replies?.[i]) this.ok(ch, counted);
        else bump('no-reply');
      });
    } catch {
      bump('bad-json', items.length);
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.agent.destroy();
  }
}
