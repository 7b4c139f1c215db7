import { z } from 'zod/mini';
import { Role } from './session';

export const AccountView = z.object({
  id: z.string(),
  kommoAccountId: z.int(),
  subdomain: z.string(),
  name: z.nullable(z.string()),
  status: z.enum(['active', 'uninstalled']),
  installedAt: z.iso.datetime(),
  /** The admin who installed Wabridge (SPEC §4.6); null before it was recorded or once personal data is deleted. */
  installedBy: z.nullable(z.object({ id: z.int(), name: z.nullable(z.string()), login: z.nullable(z.string()) })),
  timezone: z.nullable(z.string()),
  kommoPlan: z.nullable(z.object({ name: z.string(), seenAt: z.iso.datetime() })),
});
export type AccountView = z.infer<typeof AccountView>;

export const UserView = z.object({
  id: z.int(),
  name: z.nullable(z.string()),
  role: Role,
  enabled: z.boolean(),
  lastSeenAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof UserView>;

export const MeResponse = z.object({ account: AccountView, user: UserView });
export type MeResponse = z.infer<typeof MeResponse>;

export const UserList = z.object({ users: z.array(UserView) });
export type UserList = z.infer<typeof UserList>;

export const UserIdParams = z.object({ userId: z.pipe(z.coerce.number(), z.int().check(z.positive())) });

export const UpdateUserRequest = z.strictObject({ enabled: z.boolean() });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;
