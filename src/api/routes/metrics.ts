import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userForToken } from '../../auth/sessions.js';
import { clusterMetricsText } from '../../metrics/cluster-metrics.js';
import { storageMetricsText } from '../../metrics/storage-metrics.js';
import { bearerToken } from '../access.js';
import { HttpError } from '../errors.js';
import type { PipelineApiOptions } from './pipeline.js';

/** Path of the Prometheus endpoint; guarded here (listed in SELF_GUARDED_PREFIXES) because a scraper has no staff login. */
export const METRICS_PATH = '/metrics';

/**
 * Prometheus text for the whole installation. Allowed with an operator/admin session, or with
 * `Authorization: Bearer <METRICS_TOKEN>` when that setting is non-empty (for the scraper).
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<PipelineApiOptions> = async (app, { queues, metrics, metricsKey }) => {
  const { config, pool, redis, storage } = app.deps;
  const scraperToken = config.METRICS_TOKEN ? Buffer.from(config.METRICS_TOKEN) : null;

  app.get(METRICS_PATH, {
    schema: {
      summary: 'Prometheus metrics: queue depths, job durations, plate reads, failures, dead letters, storage (operator/admin session or METRICS_TOKEN)',
      tags: ['system'],
      security: [{ bearer: [] }],
      produces: ['text/plain'],
    },
    onRequest: async (request) => {
      const token = bearerToken(request);
      if (!token) throw new HttpError(401, 'unauthenticated', 'Hãy gửi tiêu đề Authorization: Bearer <mã phiên đăng nhập hoặc METRICS_TOKEN>');
      if (scraperToken) {
        const given = Buffer.from(token);
        if (given.length === scraperToken.length && timingSafeEqual(given, scraperToken)) return;
      }
      const user = await userForToken(pool, token);
      if (!user) throw new HttpError(401, 'unauthenticated', 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ, và không phải mã METRICS_TOKEN');
      if (user.role !== 'operator' && user.role !== 'admin') throw new HttpError(403, 'forbidden', 'Chỉ số hệ thống cần vai trò vận hành hoặc quản trị');
      request.user = user;
    },
  }, async (_request, reply) => {
    const text = await clusterMetricsText(redis, config.QUEUE_PREFIX, { key: metricsKey, registry: metrics.registry }, queues);
    const storageText = await storageMetricsText(storage);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${text}\n${storageText}`);
  });
};
