import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Check = Type.Union([Type.Literal('ok'), Type.String()]);
const Checks = Type.Object({ database: Check, redis: Check, storage: Check });
const StorageFree = Type.Optional(Type.Integer({ description: 'free bytes where originals are stored (local disk only)' }));

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { access: 'public' },
    schema: {
      summary: 'Liveness and dependencies: 200 when PostgreSQL and Redis answer and storage takes a write, 503 otherwise',
      tags: ['system'],
      response: {
        200: Type.Object({ status: Type.Literal('ok'), checks: Checks, storageFreeBytes: StorageFree }),
        503: Type.Object({ status: Type.Literal('degraded'), checks: Checks, storageFreeBytes: StorageFree }),
      },
    },
  }, async (_request, reply) => {
    const { pool, redis, storage } = app.deps;
    let freeBytes: number | undefined;
    const [database, cache, store] = await Promise.all([
      probe(async () => { await pool.query('SELECT 1'); }),
      probe(async () => {
        // a command sent while reconnecting would wait in the offline queue until Redis is back
        if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
        await redis.ping();
      }),
      probe(async () => {
        const status = await storage.check();
        freeBytes = status.freeBytes;
        if (!status.writable) throw new Error(status.reason ?? 'not writable');
      }),
    ]);
    const checks = { database, redis: cache, storage: store };
    const body = { checks, ...(freeBytes === undefined ? {} : { storageFreeBytes: freeBytes }) };
    if (database === 'ok' && cache === 'ok' && store === 'ok') return reply.send({ status: 'ok' as const, ...body });
    return reply.status(503).send({ status: 'degraded' as const, ...body });
  });
};

async function probe(check: () => Promise<void>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = check();
  // a check still waiting after the timeout (a Redis command parked until reconnect) must not end as an unhandled rejection
  attempt.catch(() => undefined);
  try {
    await Promise.race([
      attempt,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
