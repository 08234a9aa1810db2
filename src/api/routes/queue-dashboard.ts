import type { FastifyPluginAsync } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { userForToken } from '../../auth/sessions.js';
import { bearerToken } from '../access.js';
import { HttpError } from '../errors.js';
import type { PipelineApiOptions } from './pipeline.js';

/** Where the queue dashboard is served; listed in SELF_GUARDED_PREFIXES (bull-board's routes carry no access config). */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * The BullMQ dashboard for operators and admins (session token or the console's cookie). It is
 * read-only: the capture rows in PostgreSQL are the record, so retries go through
 * POST /api/v1/dead-letters/:captureId/retry, which also fixes the capture's status.
 */
export const queueDashboard: FastifyPluginAsync<PipelineApiOptions> = async (app, { queues }) => {
  const { pool } = app.deps;
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (!token) throw new HttpError(401, 'unauthenticated', 'Hãy đăng nhập trước: bảng theo dõi hàng đợi cần tài khoản vận hành hoặc quản trị');
    const user = await userForToken(pool, token);
    if (!user) throw new HttpError(401, 'unauthenticated', 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại');
    if (user.role !== 'operator' && user.role !== 'admin') throw new HttpError(403, 'forbidden', 'Bảng theo dõi hàng đợi cần vai trò vận hành hoặc quản trị');
    request.user = user;
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.all().map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    // @bull-board/fastify pins a patch release of @bull-board/api of its own: same interface, distinct type identity
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'phat-nguoi queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
};
