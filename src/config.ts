import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { oneOf } from './schemas.js';

/**
 * Every setting the processes read, with its default. Validated once at start so a typo in
 * an env var stops the process with a message naming the variable, instead of failing later.
 */
const ConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', default: 'postgres://postgres@127.0.0.1:5432/phat_nguoi', description: 'PostgreSQL connection string' }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379', description: 'Redis connection string (BullMQ queues, rate limits)' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address the API listens on (0.0.0.0 in containers)' }),
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3000, description: 'API port' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'pino log level' }),
  PUBLIC_BASE_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000', description: 'base URL printed on notices (QR code to the public lookup)' }),
  STORAGE_DIR: Type.String({ minLength: 1, default: './var/storage', description: 'where images and notice PDFs are stored (content-addressed)' }),
  QUEUE_PREFIX: Type.String({ pattern: '^[a-zA-Z0-9_-]+$', default: 'phat', description: 'Redis key prefix of the BullMQ queues' }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: 'jobs a worker process runs at once' }),
  MAX_IMAGE_PIXELS: Type.Integer({ minimum: 1, maximum: 100_000_000, default: 40_000_000, description: 'largest accepted image, in pixels' }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, maximum: 200_000_000, default: 20_000_000, description: 'largest accepted upload, in bytes' }),
  SESSION_TTL_MINUTES: Type.Integer({ minimum: 1, maximum: 10_080, default: 480, description: 'lifetime of a staff login session' }),
  DETECTING_UNIT: Type.String({ minLength: 1, default: 'Phòng Cảnh sát giao thông', description: 'unit named on notices and the public lookup' }),
  NOTICE_UNIT_CODE: Type.String({ pattern: '^[A-Z0-9]{2,12}$', default: 'PC08', description: 'issuing unit code in notice numbers (PN-<code>-<year>-<sequence>)' }),
  NOTICE_UNIT_ADDRESS: Type.String({ default: '', description: 'address of the detecting unit printed on notices (where to come to resolve)' }),
  NOTICE_CONTACT_PHONE: Type.String({ default: '', description: 'contact phone printed on notices and shown by the public lookup' }),
  NOTICE_DUE_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 20, description: 'days an owner has to resolve a notice before it is escalated to the inspection registry' }),
  LOOKUP_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 30, description: 'public plate lookups allowed per client IP per minute' }),
  REVIEW_CLAIM_MINUTES: Type.Integer({ minimum: 1, maximum: 240, default: 10, description: 'how long an officer\'s claim on a review case lasts before another officer may take it' }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'failed logins allowed per username and IP address before logins are refused' }),
  LOGIN_LOCKOUT_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15, description: 'window in which failed logins are counted, and how long a lockout lasts' }),
  JOB_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'tries a pipeline job gets before its capture is dead-lettered' }),
  JOB_BACKOFF_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 2000, description: 'first retry delay of a failed pipeline job (doubles each try)' }),
  JOB_LOCK_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000, description: 'how long a worker holds a job without renewing before it counts as stalled (crashed worker)' }),
  JOB_STALLED_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000, description: 'how often workers look for stalled jobs of crashed workers and put them back' }),
  JOB_MAX_STALLED: Type.Integer({ minimum: 0, maximum: 20, default: 2, description: 'times a job may be recovered from a crashed worker before its capture is dead-lettered' }),
  RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 60_000, description: 'how often a worker re-enqueues captures whose job went missing (0 = never)' }),
  MAX_PLAUSIBLE_SPEED_KMH: Type.Integer({ minimum: 50, maximum: 400, default: 250,
    description: 'speed readings above this are kept but flagged for review as a likely radar fault; approval then needs explicit confirmation' }),
  CAPTURE_MAX_FUTURE_S: Type.Integer({ minimum: 0, maximum: 3600, default: 120, description: 'camera clock skew tolerated: captures stamped further in the future are refused' }),
  METRICS_TOKEN: Type.String({ default: '', description: 'bearer token a Prometheus scraper may use on /metrics instead of an operator login (empty = staff login only)' }),
  DROP_FOLDER_POLL: Type.Boolean({ default: false, description: 'poll drop folders instead of using file-system events (network/FTP mounts)' }),
  PG_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5000, description: 'how long a query waits for a PostgreSQL connection before failing (the API then answers 503)' }),
  PG_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 60_000, description: 'longest a statement (or an idle open transaction) of the API and workers may run (0 = no limit)' }),
  ENQUEUE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 3000, description: 'how long an upload waits for Redis to queue its capture before answering 503 (the stored capture is queued later by the reconciler)' }),
  SCHEDULE_CHECK_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000, description: 'how often workers check the maintenance schedules still exist in Redis and put back missing ones' }),
  BLOB_STORE: oneOf(['local', 's3'], { default: 'local', description: 'where originals are stored: `local` (STORAGE_DIR) or `s3` (S3-compatible object storage: MinIO, Ceph RGW, cloud)' }),
  S3_ENDPOINT: Type.String({ default: '', description: 'S3 endpoint URL, e.g. http://minio:9000 (empty = the AWS endpoint of S3_REGION)' }),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'S3 region (MinIO accepts any)' }),
  S3_BUCKET: Type.String({ default: '', description: 'bucket holding the originals (required when BLOB_STORE=s3)' }),
  S3_PREFIX: Type.String({ default: '', description: 'key prefix inside the bucket, e.g. `phat/`' }),
  S3_ACCESS_KEY_ID: Type.String({ default: '', description: 'S3 access key (empty = the AWS default credential chain)' }),
  S3_SECRET_ACCESS_KEY: Type.String({ default: '', description: 'S3 secret key' }),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: true, description: 'address objects as endpoint/bucket/key (MinIO, Ceph) instead of bucket.endpoint/key' }),
  RETENTION_NO_VIOLATION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30, description: 'days images, plate reads and sightings of captures that produced no violation are kept' }),
  RETENTION_APPEAL_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 90, description: 'days after a case is resolved during which its evidence is kept for a complaint or appeal (as well as the one-year limitation)' }),
  RETENTION_ARCHIVE_YEARS: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'years notices, payments and case records are kept after the case ended' }),
  RETENTION_BATCH_SIZE: Type.Integer({ minimum: 100, maximum: 100_000, default: 5000, description: 'rows the retention job deletes per transaction' }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 30_000, description: 'time allowed to finish in-flight work on SIGTERM' }),
  AUDIT_HMAC_KEY: Type.String({ pattern: '^(.{32,})?$', default: '', description: 'secret key (32+ characters) sealing audit rows and checkpoints; held outside the database (empty = read AUDIT_HMAC_KEY_FILE)' }),
  AUDIT_HMAC_KEY_FILE: Type.String({ minLength: 1, default: './var/audit-hmac.key', description: 'file holding the audit key when AUDIT_HMAC_KEY is empty (created with a random key, mode 600, when missing)' }),
  AUDIT_CHECKPOINT_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15, description: 'how often workers seal the audit chain head and row count in a keyed checkpoint' }),
  TRUSTED_PROXIES: Type.String({ pattern: '^[0-9A-Fa-f.:/, ]*$', default: '', description: 'comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (empty = none)' }),
  LOGIN_ADDRESS_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 100_000, default: 30, description: 'failed logins allowed from one IP address, whatever the usernames, before it is refused' }),
  PASSWORD_HASH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 1, description: 'password hashes (scrypt, 128 MiB each) computed at once per process; further logins wait in a short queue' }),
  DROP_FOLDER_ROOT: Type.String({ minLength: 1, default: './var/drop', description: 'directory every camera drop folder must lie under' }),
});

export type Config = Static<typeof ConfigSchema>;
export type ConfigKey = keyof Config;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the settings from `env` (process.env by default); throws ConfigError listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) => {
    const key = e.path.replace(/^\//, '');
    const choices = (e.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const reason = choices ? `expected one of ${choices.join(', ')}` : e.message;
    return `${key}=${JSON.stringify(env[key] ?? '')}: ${reason}`;
  });
  const chosen = converted as Partial<Config>;
  if (chosen.BLOB_STORE === 's3' && !chosen.S3_BUCKET) problems.push('S3_BUCKET="": required when BLOB_STORE=s3');
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return converted as Config;
}

/** Name, default and meaning of each setting: the README table is generated from this. */
export function describeConfig(): Array<{ name: string; default: unknown; description: string }> {
  return Object.entries(ConfigSchema.properties).map(([name, schema]) => ({
    name,
    default: (schema as { default?: unknown }).default,
    description: String((schema as { description?: string }).description ?? ''),
  }));
}
