import { Type } from '@sinclair/typebox';
import { ROLES } from '../../auth/roles.js';
import { UserError } from '../../users/user-store.js';
import { HttpError } from '../errors.js';
import { oneOf } from '../../schemas.js';

/** Shared response shapes of the admin routes. */
export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

export { oneOf, Nullable } from '../../schemas.js';

export const RoleSchema = oneOf(ROLES);

export const StaffUserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  fullName: Type.String(),
  role: RoleSchema,
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const USER_ERROR_STATUS = { not_found: 404, username_taken: 409, invalid_username: 400, weak_password: 400, last_admin: 409 } as const;

/** Rethrows a user-store error as the HTTP answer it stands for; anything else passes through. */
export function userErrorToHttp(err: unknown): never {
  if (err instanceof UserError) throw new HttpError(USER_ERROR_STATUS[err.code], err.code, err.message);
  throw err;
}
