import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { seedDemo } from '../seed/demo.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const { values } = parseArgs({
    options: {
      owners: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '168' },
    },
  });
  const owners = Number(values.owners);
  if (!Number.isInteger(owners) || owners < 1 || owners > 1_000_000) throw new Error('--owners must be a whole number from 1 to 1000000');
  const password = process.env.SEED_PASSWORD ?? 'phatnguoi-demo';
  const pool = createPool(loadConfig().DATABASE_URL, 2);
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
  } finally {
    await pool.end();
  }
});
