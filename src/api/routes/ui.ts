import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HttpError } from '../errors.js';

/** Where `npm run build:console` (vite build) writes the console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));

/**
 * The officers' web console: static files, public like any login page; every datum it shows comes
 * from the API, which checks the session's role.
 */
export const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(fastifyStatic, { root: CONSOLE_DIR, serve: false });
  const built = () => existsSync(path.join(CONSOLE_DIR, 'index.html'));
  const hidden = { hide: true };

  app.get('/', { config: { access: 'public' }, schema: hidden }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console', { config: { access: 'public' }, schema: hidden }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/*', { config: { access: 'public' }, schema: hidden }, async (request, reply) => {
    if (!built()) throw new HttpError(503, 'console_not_built', 'Giao diện quản lý chưa được dựng: chạy npm run build:console');
    const file = (request.params as { '*': string })['*'];
    // hashed assets never change; index.html must be re-read so a new build is picked up
    if (file.startsWith('assets/')) return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(file);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  // the public lookup page, the target of the QR code printed on every notice
  app.get('/tra-cuu', { config: { access: 'public' }, schema: hidden }, async (_request, reply) => {
    if (!built()) throw new HttpError(503, 'console_not_built', 'Giao diện quản lý chưa được dựng: chạy npm run build:console');
    return reply.header('cache-control', 'no-cache').sendFile('lookup.html');
  });
};
