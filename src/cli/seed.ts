import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { seedDemo } from '../seed/demo.js';
import { seedDemoCaptures } from '../seed/demo-captures.js';
import { createPipelineQueues } from '../queue/queues.js';
import { createRedis } from '../redis.js';
import { createBlobStore } from '../storage/create-blob-store.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const { values } = parseArgs({
    options: {
      owners: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '168' },
      captures: { type: 'string', default: '0' },
    },
  });
  const owners = Number(values.owners);
  if (!Number.isInteger(owners) || owners < 1 || owners > 1_000_000) throw new Error('--owners must be a whole number from 1 to 1000000');
  const captures = Number(values.captures);
  if (!Number.isInteger(captures) || captures < 0 || captures > 10_000) throw new Error('--captures must be a whole number from 0 to 10000');
  const password = process.env.SEED_PASSWORD ?? 'phatnguoi-demo';
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    const started = Date.now();
    const result = await seedDemo(pool, { owners, password, seed: Number(values.seed), log: console.log });
    console.log(`demo data ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.owners} owners, ${result.vehicles} vehicles, ` +
      `${result.ownerships.created} ownership periods added (${result.ownerships.unchanged} already there)`);
    if (result.usersCreated.length) {
      console.log(`users created (password "${password}", change it): ${result.usersCreated.join(', ')}`);
    }
    for (const camera of result.camerasCreated) {
      console.log(`camera ${camera.code} API key (shown once): ${camera.apiKey}`);
    }
    if (captures > 0) {
      // frames go through the real ingest and queues: workers (npm run worker) turn them into review cases
      const redis = createRedis(config.REDIS_URL);
      const queues = createPipelineQueues(config, redis);
      try {
        const sent = await seedDemoCaptures({ pool, storage: createBlobStore(config), queues,
          limits: { maxPixels: config.MAX_IMAGE_PIXELS, maxBytes: config.MAX_UPLOAD_BYTES } }, { count: captures, seed: Number(values.seed) });
        console.log(`demo captures queued for the workers: ${sent.created} new, ${sent.duplicates} already there`);
      } finally {
        await queues.close();
        redis.disconnect();
      }
    }
  } finally {
    await pool.end();
  }
});
