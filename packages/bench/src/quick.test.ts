// Smoke test of `roomcast bench`: a tiny run (a few hundred sockets, well under 30 s) against
// roomcast and two baselines must complete and write a report and a JSON result with every
// expected field and non-zero deliveries. It checks that the bench works, never a speed.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseOptions, renderHelp, runBench } from './index.ts';
import type { BenchResult } from './report/result.ts';

describe('roomcast bench --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'roomcast-bench-test-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it(
    'runs goim on three systems, live with client publishers and idle memory, and reports them',
    { timeout: 90_000 },
    async () => {
      const code = await runBench([
        '--quick',
        '--matrix=goim=roomcast,ws-preframed,socketio;live=roomcast;idle=roomcast',
        '--viewers=200',
        '--idle-steps=100,200',
        '--progress=false',
        `--out=${out}`,
        '--run-id=smoke',
      ]);
      assert.equal(code, 0);
      const [day] = readdirSync(out);
      const dir = join(out, day ?? '', 'smoke');
      const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as BenchResult;
      assert.equal(r.schema, 'roomcast-bench/1');
      assert.equal(r.quick, true);
      assert.deepEqual(
        r.phases.map((p) => `${p.workload}/${p.system}/${p.status}`),
        [
          'goim/roomcast/ok',
          'goim/ws-preframed/ok',
          'goim/socketio/ok',
          'live/roomcast/ok',
          'idle/roomcast/ok',
        ],
      );
      for (const p of r.phases.filter((x) => x.workload !== 'idle')) {
        const at = `${p.workload}/${p.system}`;
        assert.ok(p.deliveries.received > 0, `${at} delivered`);
        assert.ok(p.deliveries.expected > 0, `${at} expected`);
        assert.ok(p.publish.accepted > 0, `${at} published`);
        assert.ok(p.frames > 0 && p.bytes > 0, `${at} frames and bytes`);
        assert.ok(p.server.cpuS > 0 && p.server.processes.length === 1, `${at} server CPU`);
        assert.ok(p.server.processes[0]!.rssEndMb > 0, `${at} server RSS`);
        assert.ok((p.efficiency.deliveriesPerCpuS ?? 0) > 0, `${at} deliveries per CPU-second`);
        assert.ok((p.efficiency.cpuUsPerDelivery ?? 0) > 0, `${at} CPU per delivery`);
        assert.ok((p.efficiency.bytesPerDelivery ?? 0) > 0, `${at} bytes per delivery`);
        assert.ok((p.efficiency.framesPerCpuS ?? 0) > 0, `${at} frames per CPU-second`);
        assert.ok(p.latency && p.latency.samples > 0 && p.latency.total.p99 > 0, `${at} latency samples`);
        assert.ok(p.latency.windowWait.n > 0 && p.latency.fanout.n > 0, `${at} latency split`);
        assert.ok(p.checks.checked > 0, `${at} content checks`);
        assert.equal(p.checks.contentMismatch, 0, `${at} content`);
        assert.equal(p.checks.duplicates + p.checks.reorders, 0, `${at} order`);
        assert.ok(p.generators.length >= 1 && p.generators.every((g) => g.cpuS > 0), `${at} generator CPU`);
        assert.ok(['server', 'generator', 'machine', 'none'].includes(p.bottleneck.verdict));
        assert.ok(p.server.processes[0]!.eldP99Ms !== null, `${at} event-loop delay`);
      }
      const live = r.phases.find((p) => p.workload === 'live');
      assert.ok(
        live && live.publish.accepted > 0 && live.groups.publisher.live > 0,
        'client publishers took part',
      );
      assert.ok(live.latency && live.latency.byClass.gift.n > 0, 'gift latency sampled');
      assert.ok(
        Object.keys(live.server.metrics).some((k) => k.startsWith('roomcast_deliveries')),
        'roomcast metrics scraped',
      );
      const idle = r.phases.find((p) => p.workload === 'idle');
      assert.deepEqual(
        idle?.idle?.steps.map((s) => s.connections),
        [100, 200],
      );
      assert.ok(idle.idle.steps.every((s) => s.rssMb > 0 && Number.isFinite(s.rssPerConnKiB)));
      assert.ok(
        r.ratios.some((x) => x.numerator === 'roomcast' && x.denominator === 'socketio' && x.value > 0),
      );
      assert.ok(r.targets.length >= 8);
      const md = readFileSync(join(dir, 'report.md'), 'utf8');
      for (const heading of [
        '## Targets (SPEC)',
        '## Ratios',
        '## Charts',
        '### goim',
        '### live',
        '### idle',
        '## How it was measured',
      ])
        assert.ok(md.includes(heading), `report has ${heading}`);
      for (const svg of [
        'deliveries-per-cpu.svg',
        'latency-cdf-goim.svg',
        'memory-per-connection.svg',
        'bytes-per-message.svg',
      ]) {
        assert.ok(existsSync(join(dir, svg)), `${svg} written`);
        assert.match(readFileSync(join(dir, svg), 'utf8'), /^<svg [^>]*xmlns/);
      }
    },
  );

  it('documents every option in --help and rejects unknown ones', () => {
    const help = renderHelp();
    for (const flag of [
      '--quick',
      '--workloads',
      '--systems',
      '--matrix',
      '--viewers',
      '--servers',
      '--target',
      '--pin',
      '--out',
      '--repeat',
    ])
      assert.ok(help.includes(flag), `help lists ${flag}`);
    assert.throws(() => parseOptions(['--nope']), /unknown option/);
    assert.throws(() => parseOptions(['--systems=roomcast,nginx']), /unknown system/);
    const q = parseOptions(['--quick']);
    assert.ok(q.duration <= 2 && q.viewers <= 500, 'quick is small');
    assert.deepEqual(q.matrix.goim, ['roomcast', 'roomcast-nobatch', 'ws-naive', 'ws-preframed', 'socketio']);
  });
});
