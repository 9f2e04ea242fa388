// The figures of the room workload (the live-room engine issue), from the readings at both ends
// of the measured window and the server's own metrics:
// - frames and publications per viewer per second, split by channel (gift frames are told apart
//   by the channel name at a fixed offset of every push, see F.giftMsgs);
// - gifts delivered over the whole phase: gift pushes counted by every viewer ÷ (gifts the server
//   accepted × viewers subscribed), both counted from the first gift to the end of the drain, so
//   no window edge cuts a gift's fan-out in two;
// - drops by reason and merges from roomcast's /metrics, the room engine's window-wait and
//   fan-out histograms over the window;
// - wire bytes per delivered message on plain and permessage-deflate receivers, by channel.

import { F } from '../generator/counters.ts';
import type { Plan } from '../plan/workloads.ts';
import type { HistogramSummary, RoomResult } from '../report/result.ts';
import {
  FANOUT_HISTOGRAM,
  histogram,
  WINDOW_WAIT_HISTOGRAM,
  type HistogramFigures,
} from '../systems/metrics-scrape.ts';
import { viewerTotal, type Reading, type WindowFigures } from './measure.ts';

const per = (x: number, y: number): number | null => (y > 0 ? x / y : null);

function summary(h: HistogramFigures | null): HistogramSummary | null {
  return h ? { ...h } : null;
}

export function roomResult(
  plan: Plan,
  w: WindowFigures,
  start: Reading,
  end: Reading,
  metrics0: Map<string, number>,
  metrics1: Map<string, number>,
  serverMetrics: Record<string, number>,
): RoomResult | null {
  const room = plan.rooms[0];
  if (!room || room.channels.length < 2) return null;
  const [liveCh, giftCh] = room.channels as [number, number];
  const liveAt = (r: Reading, ch: number): number =>
    r.gens.reduce((a, m) => a + (m.liveByChannel[ch] ?? 0), 0);
  const viewers = liveAt(start, liveCh);
  const secs = plan.durationS;
  const perViewer = (x: number): number => (viewers > 0 ? x / viewers / secs : 0);
  const g = w.groups;
  const viewerGroups = [g.count, g.decode, g.deflate, g.probe];
  const sum = (f: (x: (typeof viewerGroups)[number]) => number): number =>
    viewerGroups.reduce((a, x) => a + f(x), 0);
  const giftFrames = sum((x) => x.giftFrames);
  const giftMsgs = sum((x) => x.giftMsgs);
  const liveMsgs = w.received - giftMsgs;
  // Online-count pushes (no bench id) seen by decoding viewers, per decoding viewer.
  const decoders = g.decode.live + g.deflate.live + g.probe.live;
  const onlinePerViewerPerS = decoders > 0 ? w.checks.engine / decoders / secs : null;
  const livePerViewerPerS = perViewer(liveMsgs);
  const acceptedLive = (end.api.acceptedByChannel[liveCh] ?? 0) - (start.api.acceptedByChannel[liveCh] ?? 0);

  const giftsOffered = end.api.offeredAllByChannel[giftCh] ?? 0;
  const giftsAccepted = end.api.acceptedAllByChannel[giftCh] ?? 0;
  const giftViewers = liveAt(end, giftCh);
  const giftsExpected = giftsAccepted * giftViewers;
  const giftsDelivered = viewerTotal(end.gens, F.giftMsgs);

  const drops: Record<string, number> = {};
  for (const [k, v] of Object.entries(serverMetrics))
    if (/^roomcast_room_(drops|rejected)_total/.test(k) || k.startsWith('roomcast_skipped_frames'))
      drops[k] = v;
  const merged = serverMetrics['roomcast_room_merged_total'] ?? (metrics1.size > 0 ? 0 : null);

  const plain = [g.count, g.decode, g.probe];
  const pb = plain.reduce((a, x) => a + x.bytes, 0);
  const pm = plain.reduce((a, x) => a + x.msgs, 0);
  const pgb = plain.reduce((a, x) => a + x.giftBytes, 0);
  const pgm = plain.reduce((a, x) => a + x.giftMsgs, 0);
  const d = g.deflate;
  const deflate = w.deflateNegotiated > 0;
  return {
    viewers,
    publishSeconds: secs,
    framesPerViewerPerS: perViewer(w.frames),
    liveFramesPerViewerPerS: perViewer(w.frames - giftFrames),
    giftFramesPerViewerPerS: perViewer(giftFrames),
    livePerViewerPerS,
    onlinePerViewerPerS,
    chatPerViewerPerS: livePerViewerPerS - (onlinePerViewerPerS ?? 0),
    chatPublishedPerS: acceptedLive / secs,
    giftsOffered,
    giftsAccepted,
    giftViewers,
    giftsExpected,
    giftsDelivered,
    giftsDeliveredRatio: per(giftsDelivered, giftsExpected),
    giftsDeliveredOfOffered: per(giftsDelivered, giftsOffered * giftViewers),
    giftGapsSampled: w.checks.giftGaps,
    giftsCheckedSampled: w.checks.giftChecked,
    drops,
    merged,
    serverWindowWait: summary(histogram(metrics0, metrics1, WINDOW_WAIT_HISTOGRAM)),
    serverFanout: summary(histogram(metrics0, metrics1, FANOUT_HISTOGRAM)),
    bytes: {
      all: { plain: per(pb, pm), deflate: deflate ? per(d.bytes, d.msgs) : null },
      chat: {
        plain: per(pb - pgb, pm - pgm),
        deflate: deflate ? per(d.bytes - d.giftBytes, d.msgs - d.giftMsgs) : null,
      },
      gift: { plain: per(pgb, pgm), deflate: deflate ? per(d.giftBytes, d.giftMsgs) : null },
    },
  };
}
