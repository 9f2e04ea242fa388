// Latency samples of decoding receivers, in preallocated typed arrays (no allocation per
// message). The coordinator joins them across processes by message key to split latency into
// window wait and fan-out.

export interface SampleBatch {
  key: Float64Array;
  pubUs: Float64Array;
  recvUs: Float64Array;
  kind: Uint8Array;
  /** 1 when the receiver was the channel's probe (first subscriber). */
  probe: Uint8Array;
  /** Samples not kept because the store was full. */
  dropped: number;
  /**
   * Merged chat lines (no message id) received by decoding receivers: the frame they came in
   * (hash of its text: every viewer gets the same frame), the merged text's key, how many
   * originals the line stands for, and the receive time.
   */
  merged: { frame: Float64Array; text: Float64Array; count: Float64Array; recvUs: Float64Array };
}

export class SampleStore {
  private readonly key: Float64Array;
  private readonly pubUs: Float64Array;
  private readonly recvUs: Float64Array;
  private readonly kind: Uint8Array;
  private readonly probe: Uint8Array;
  private n = 0;
  private dropped = 0;
  private readonly mFrame: Float64Array;
  private readonly mText: Float64Array;
  private readonly mCount: Float64Array;
  private readonly mRecv: Float64Array;
  private m = 0;
  recording = false;

  constructor(capacity: number) {
    this.key = new Float64Array(capacity);
    this.pubUs = new Float64Array(capacity);
    this.recvUs = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.probe = new Uint8Array(capacity);
    const mc = Math.max(1, Math.floor(capacity / 4));
    this.mFrame = new Float64Array(mc);
    this.mText = new Float64Array(mc);
    this.mCount = new Float64Array(mc);
    this.mRecv = new Float64Array(mc);
  }

  addMerged(frame: number, text: number, count: number, recvUs: number): void {
    if (!this.recording) return;
    const i = this.m;
    if (i >= this.mFrame.length) {
      this.dropped++;
      return;
    }
    this.mFrame[i] = frame;
    this.mText[i] = text;
    this.mCount[i] = count;
    this.mRecv[i] = recvUs;
    this.m = i + 1;
  }

  add(key: number, pubUs: number, recvUs: number, kind: number, probe: boolean): void {
    if (!this.recording) return;
    const i = this.n;
    if (i >= this.key.length) {
      this.dropped++;
      return;
    }
    this.key[i] = key;
    this.pubUs[i] = pubUs;
    this.recvUs[i] = recvUs;
    this.kind[i] = kind;
    this.probe[i] = probe ? 1 : 0;
    this.n = i + 1;
  }

  /** Takes the samples and empties the store. */
  take(): SampleBatch {
    const n = this.n;
    const out: SampleBatch = {
      key: this.key.slice(0, n),
      pubUs: this.pubUs.slice(0, n),
      recvUs: this.recvUs.slice(0, n),
      kind: this.kind.slice(0, n),
      probe: this.probe.slice(0, n),
      dropped: this.dropped,
      merged: {
        frame: this.mFrame.slice(0, this.m),
        text: this.mText.slice(0, this.m),
        count: this.mCount.slice(0, this.m),
        recvUs: this.mRecv.slice(0, this.m),
      },
    };
    this.n = 0;
    this.m = 0;
    this.dropped = 0;
    return out;
  }
}
