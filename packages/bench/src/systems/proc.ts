// CPU time and memory of other processes, from /proc (Linux): the bench measures servers from
// the outside, so their own numbers never depend on code running inside them.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc CPU times (USER_HZ; 100 on nearly every Linux). */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

export interface ProcSample {
  /** User + system CPU seconds of the process, all threads. */
  cpuS: number;
  rssBytes: number;
  /** Peak RSS since the process started (VmHWM). */
  hwmBytes: number;
}

/** Reads /proc/<pid>; undefined once the process is gone. */
export function readProc(pid: number, ticks: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at "state".
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / ticks;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    };
    return { cpuS, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Child PIDs of a process (all its threads' children), from /proc. */
function children(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text !== '') for (const c of text.split(/\s+/)) out.push(Number(c));
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * A process and its descendants summed (a roomcast with `workers` > 1 forks them): CPU and
 * RSS add up; the peak is the sum of each process's own peak (an upper bound).
 */
export function readProcTree(pid: number, ticks: number): ProcSample | undefined {
  const root = readProc(pid, ticks);
  if (!root) return undefined;
  const total = { ...root };
  const queue = children(pid);
  for (let i = 0; i < queue.length && i < 1024; i++) {
    const c = queue[i] as number;
    const s = readProc(c, ticks);
    if (!s) continue;
    total.cpuS += s.cpuS;
    total.rssBytes += s.rssBytes;
    total.hwmBytes += s.hwmBytes;
    queue.push(...children(c));
  }
  return total;
}

export interface MachineSample {
  /** Busy CPU seconds of the whole machine (all cores, everything but idle and iowait). */
  busyS: number;
}

export function readMachine(ticks: number): MachineSample {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busyS: (total - idle) / ticks };
  } catch {
    return { busyS: 0 };
  }
}

/** The open-files limit of this process (soft), from /proc/self/limits. */
export function openFilesLimit(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Redis server behind `url`, for recording its CPU beside the servers': `given` when > 0,
 * else the one process named redis-server (the one whose command line names the port, when
 * there are several). Undefined when none is found (its CPU is then not recorded).
 */
export function findRedisPid(url: string, given: number): number | undefined {
  if (given > 0) return given;
  let port = '6379';
  try {
    port = new URL(url).port || '6379';
  } catch {
    return undefined;
  }
  const found: { pid: number; cmd: string }[] = [];
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'redis-server') continue;
        const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
        found.push({ pid: Number(name), cmd });
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return undefined;
  }
  if (found.length === 1) return found[0]?.pid;
  return found.find((f) => f.cmd.includes(`:${port}`))?.pid;
}
