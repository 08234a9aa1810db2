import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Check = Type.Union([Type.Literal('ok'), Type.String()]);

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { access: 'public' },
    schema: {
      summary: 'Liveness and dependencies: 200 when PostgreSQL and Redis answer, 503 otherwise',
      tags: ['system'],
      response: {
        200: Type.Object({ status: Type.Literal('ok'), checks: Type.Object({ database: Check, redis: Check }) }),
        503: Type.Object({ status: Type.Literal('degraded'), checks: Type.Object({ database: Check, redis: Check }) }),
      },
    },
  }, async (_request, reply) => {
    const { pool, redis } = app.deps;
    const [database, cache] = await Promise.all([
      probe(async () => { await pool.query('SELECT 1'); }),
      probe(async () => { await redis.ping(); }),
    ]);
    const checks = { database, redis: cache };
    if (database === 'ok' && cache === 'ok') return reply.send({ status: 'ok' as const, checks });
    return reply.status(503).send({ status: 'degraded' as const, checks });
  });
};

async function probe(check: () => Promise<void>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
