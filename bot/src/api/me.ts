import { z } from 'zod';
import { roles } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tenantId: z.string(),
    role: z.enum(roles),
    providerId: z.string().optional(),
    enterpriseId: z.string().optional(),
  })
  .meta({ id: 'Me' });

export function meOperations(): Operation[] {
  return [
    defineOperation({
      id: 'getMe',
      method: 'GET',
      path: '/api/admin/me',
      tag: 'Identity',
      summary: 'The signed-in caller: role and the enterprise or provider they belong to.',
      response: { status: 200, description: 'The caller.', schema: meSchema },
      handle: async ({ principal }) => ({
        id: principal.userId,
        name: principal.name,
        tenantId: principal.tenantId,
        role: principal.role,
        ...(principal.providerId ? { providerId: principal.providerId } : {}),
        ...(principal.enterpriseId ? { enterpriseId: principal.enterpriseId } : {}),
      }),
    }),
  ];
}
