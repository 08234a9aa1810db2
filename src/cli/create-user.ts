import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../auth/roles.js';
import { loadConfig } from '../config.js';
import { createPool, withTransaction } from '../db/pool.js';
import { createUser, UserError } from '../users/user-store.js';
import { runCli } from './run-cli.js';

const USAGE = `usage: npm run user:create -- --username NAME --full-name "Full Name" --role ${ROLES.join('|')} [--password PW]
  the password may instead come from the PHAT_PASSWORD environment variable (keeps it out of shell history)`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      'full-name': { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  const password = values.password ?? process.env.PHAT_PASSWORD;
  const role = values.role as Role | undefined;
  if (!values.username || !values['full-name'] || !role || !password) usage('missing an option or the password');
  if (!ROLES.includes(role)) usage(`unknown role "${role}"`);

  const pool = createPool(loadConfig().DATABASE_URL, 1);
  try {
    // created by whoever runs the command on the server: recorded as such in the audit trail
    const actor = { id: null, username: `cli:${process.env.USER ?? 'unknown'}` };
    const user = await withTransaction(pool, (tx) => createUser(tx, { username: values.username!, fullName: values['full-name']!, role, password }, actor));
    console.log(`created ${user.role} ${user.username} (id ${user.id})`);
  } catch (err) {
    await pool.end();
    if (err instanceof UserError) usage(err.message);
    throw err;
  }
  await pool.end();
});

/** A mistake of the person running the command: say what and how, without a stack trace. */
function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
