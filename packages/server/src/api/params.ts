// Small validators for API params: every mistake becomes ApiError 107 with a message that
// names the field.

import { ApiError } from '../errors.ts';

export type Params = Record<string, unknown>;

export const isObject = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

const bad = (msg: string): ApiError => new ApiError(107, `bad request: ${msg}`);

export function str(p: Params, key: string, required: true): string;
export function str(p: Params, key: string, required?: false): string | undefined;
export function str(p: Params, key: string, required = false): string | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw bad(`${key} required`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(`${key} must be a string`);
  return v;
}

export function int(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${key} must be an integer`);
  return v;
}

export function bool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(`${key} must be a boolean`);
  return v;
}

export function strArray(p: Params, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw bad(`${key} must be an array of strings`);
  return v;
}

export function strMap(p: Params, key: string): Record<string, string> | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw bad(`${key} must map strings to strings`);
  return v as Record<string, string>;
}

export function obj(p: Params, key: string): Params | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(`${key} must be an object`);
  return v;
}

/** Raw JSON from `data` (any JSON) or `b64data` (base64 of JSON text). */
export function rawData(p: Params, dataKey: string, b64Key: string, required: boolean): string | undefined {
  if (p[dataKey] !== undefined) return JSON.stringify(p[dataKey]);
  const b64 = str(p, b64Key);
  if (b64 !== undefined) {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    try {
      return JSON.stringify(JSON.parse(text));
    } catch (err) {
      throw new ApiError(107, `bad request: ${b64Key} must hold JSON in JSON mode`, { cause: err });
    }
  }
  if (required) throw bad(`${dataKey} required`);
  return undefined;
}

export function position(p: Params, key: string): { offset: number; epoch: string } | undefined {
  const v = obj(p, key);
  if (!v) return undefined;
  const offset = int(v, 'offset') ?? 0;
  if (offset < 0) throw bad(`${key}.offset must be >= 0`);
  return { offset, epoch: str(v, 'epoch') ?? '' };
}
