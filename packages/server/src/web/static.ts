// Serves a built single-page app (the live-room page) at `/`.

import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Registers `root` at `/`; returns false when the directory has no index.html. */
export async function registerStatic(app: FastifyInstance, root: string): Promise<boolean> {
  if (!existsSync(`${root}/index.html`)) return false;
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: false });
  return true;
}
