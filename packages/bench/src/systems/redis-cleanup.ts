// Removes a phase's keys from Redis afterwards (SCAN + UNLINK on its prefix), with a tiny RESP
// client: the Redis is shared with other runs and tests, and the bench leaves nothing behind.

import { connect } from 'node:net';

type Resp = string | number | null | Resp[];

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Parses one reply at `i`; returns [value, next index] or undefined when incomplete. */
function parse(buf: Buffer, i: number): [Resp, number] | undefined {
  const eol = buf.indexOf('\r\n', i);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[i] ?? 0);
  const line = buf.toString('utf8', i + 1, eol);
  if (type === '+' || type === '-') return [type === '-' ? `ERR ${line}` : line, eol + 2];
  if (type === ':') return [Number(line), eol + 2];
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + n + 2) return undefined;
    return [buf.toString('utf8', eol + 2, eol + 2 + n), eol + 2 + n + 2];
  }
  if (type === '*') {
    const n = Number(line);
    const out: Resp[] = [];
    let j = eol + 2;
    for (let k = 0; k < n; k++) {
      const r = parse(buf, j);
      if (!r) return undefined;
      out.push(r[0]);
      j = r[1];
    }
    return [out, j];
  }
  throw new Error(`unexpected RESP type ${type}`);
}

export async function deleteKeys(url: string, prefix: string, timeoutMs = 10_000): Promise<number> {
  const u = new URL(url);
  const socket = connect({ host: u.hostname, port: Number(u.port || 6379) });
  let buf = Buffer.alloc(0);
  let waiter: ((r: Resp) => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const r = parse(buf, 0);
    if (r && waiter) {
      buf = buf.subarray(r[1]);
      const w = waiter;
      waiter = undefined;
      w(r[0]);
    }
  });
  const deadline = Date.now() + timeoutMs;
  const call = (args: string[]): Promise<Resp> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('redis timeout')), Math.max(1, deadline - Date.now()));
      waiter = (r) => {
        clearTimeout(t);
        resolve(r);
      };
      socket.write(encode(args));
    });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (u.password)
      await call(
        u.username
          ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)]
          : ['AUTH', decodeURIComponent(u.password)],
      );
    let cursor = '0';
    let deleted = 0;
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const r = await call([
        'SCAN',
        cursor,
        'MATCH',
        `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        'COUNT',
        '1000',
      ]);
      if (!Array.isArray(r) || r.length < 2) break;
      cursor = String(r[0]);
      const keys = (r[1] as Resp[]).filter((k): k is string => typeof k === 'string');
      if (keys.length > 0) deleted += Number(await call(['UNLINK', ...keys])) || 0;
      if (cursor === '0') break;
    }
    return deleted;
  } finally {
    socket.destroy();
  }
}
