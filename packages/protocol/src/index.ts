export * from './codes.ts';
export type * from './types.ts';
export * from './json-decode.ts';
export * from './json-encode.ts';
