import { z } from 'zod';
import { Role } from './session';

export const AccountView = z.object({
  id: z.string(),
  kommoAccountId: z.number().int(),
  subdomain: z.string(),
  name: z.string().nullable(),
  status: z.enum(['active', 'uninstalled']),
  installedAt: z.iso.datetime(),
  timezone: z.string().nullable(),
  kommoPlan: z.object({ name: z.string(), seenAt: z.iso.datetime() }).nullable(),
});
export type AccountView = z.infer<typeof AccountView>;

export const UserView = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  role: Role,
  enabled: z.boolean(),
  lastSeenAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof UserView>;

export const MeResponse = z.object({ account: AccountView, user: UserView });
export type MeResponse = z.infer<typeof MeResponse>;

export const UserList = z.object({ users: z.array(UserView) });
export type UserList = z.infer<typeof UserList>;

export const UserIdParams = z.object({ userId: z.coerce.number().int().positive() });

export const UpdateUserRequest = z.object({ enabled: z.boolean() }).strict();
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;
