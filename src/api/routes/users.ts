import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withTransaction } from '../../db/pool.js';
import { createUser, getUser, listUsers, setPassword, updateUser, USERNAME_PATTERN, type UserRecord } from '../../users/user-store.js';
import { notFound } from '../errors.js';
import { AfterParam, decodeCursor, encodeCursor, NextCursor, pageLimit } from '../paging.js';
import { ErrorBody, IdParams, RoleSchema, userErrorToHttp } from './admin-schemas.js';

const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  fullName: Type.String(),
  role: RoleSchema,
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const FullName = Type.String({ minLength: 1, maxLength: 200 });
const Password = Type.String({ minLength: 1, maxLength: 1024, description: 'at least 12 characters, not a common or guessable password' });

function view(u: UserRecord) {
  return { ...u, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}

const ADMIN = { access: ['admin'] as const };

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { pool } = app.deps;

  app.get('/api/v1/users', {
    config: ADMIN,
    schema: {
      summary: 'Staff users by username, a page at a time', tags: ['users'], security: [{ bearer: [] }],
      querystring: Type.Object({ role: Type.Optional(RoleSchema), active: Type.Optional(Type.Boolean()), limit: pageLimit(500, 100), after: AfterParam },
        { additionalProperties: false }),
      response: { 200: Type.Object({ users: Type.Array(UserSchema), nextCursor: NextCursor }), 400: ErrorBody },
    },
  }, async (request) => {
    const { role, active, limit } = request.query;
    const page = await listUsers(pool, { role, active }, { limit, after: decodeCursor(request.query.after, ['text'])?.[0] });
    return { users: page.items.map(view), nextCursor: page.next === null ? null : encodeCursor([page.next]) };
  });

  app.post('/api/v1/users', {
    config: ADMIN,
    schema: {
      summary: 'Create a staff user', tags: ['users'], security: [{ bearer: [] }],
      body: Type.Object({
        username: Type.String({ pattern: USERNAME_PATTERN, description: 'lower-case letters, digits, . _ -' }),
        fullName: FullName,
        role: RoleSchema,
        password: Password,
      }, { additionalProperties: false }),
      response: { 201: UserSchema, 400: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const user = await withTransaction(pool, (tx) => createUser(tx, request.body, request.user!)).catch(userErrorToHttp);
    return reply.status(201).send(view(user));
  });

  app.get('/api/v1/users/:id', {
    config: ADMIN,
    schema: {
      summary: 'One staff user', tags: ['users'], security: [{ bearer: [] }],
      params: IdParams,
      response: { 200: UserSchema, 404: ErrorBody },
    },
  }, async (request) => {
    const user = await getUser(pool, request.params.id);
    if (!user) throw notFound(`người dùng #${request.params.id}`);
    return view(user);
  });

  app.patch('/api/v1/users/:id', {
    config: ADMIN,
    schema: {
      summary: 'Change a user\'s name, role or active flag (disabling ends their sessions)', tags: ['users'], security: [{ bearer: [] }],
      params: IdParams,
      body: Type.Object({
        fullName: Type.Optional(FullName),
        role: Type.Optional(RoleSchema),
        active: Type.Optional(Type.Boolean()),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: UserSchema, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const user = await withTransaction(pool, (tx) => updateUser(tx, request.params.id, request.body, request.user!)).catch(userErrorToHttp);
    return view(user);
  });

  app.post('/api/v1/users/:id/password', {
    config: ADMIN,
    schema: {
      summary: 'Reset a user\'s password (ends all their sessions)', tags: ['users'], security: [{ bearer: [] }],
      params: IdParams,
      body: Type.Object({ password: Password }, { additionalProperties: false }),
      response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    await withTransaction(pool, (tx) => setPassword(tx, request.params.id, request.body.password, request.user!, 'user.password_reset'))
      .catch(userErrorToHttp);
    return reply.status(204).send(null);
  });
};
