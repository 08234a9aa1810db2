import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('uses documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/phat_nguoi');
    expect(config.MAX_IMAGE_PIXELS).toBe(40_000_000);
  });

  it('converts numbers from env strings', () => {
    expect(loadConfig({ PORT: '8080', WORKER_CONCURRENCY: '4' })).toMatchObject({ PORT: 8080, WORKER_CONCURRENCY: 4 });
  });

  it('names every bad variable with its value and the reason', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', REDIS_URL: 'localhost:6379', WORKER_CONCURRENCY: '0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT="eighty"');
    expect(problems).toContain('LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent');
    expect(problems).toContain('REDIS_URL="localhost:6379"');
    expect(problems).toContain('WORKER_CONCURRENCY="0"');
  });
});
