import { z } from 'zod';
import {
  chatAccessBodySchema,
  purgeResultSchema,
  purgeUsersBodySchema,
  renameTagBodySchema,
  tagChangeResultSchema,
  tagListResponseSchema,
  userFilterSchema,
  userPageSchema,
  userQuerySchema,
  userRowSchema,
  userTagsBodySchema,
  type Services,
} from '@switchboard/shared';
import { defineOperation, defineStreamOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const userParams = enterpriseParams.extend({ userId: z.string().min(1).describe('The user id (Entra object id).') });
const tagParams = enterpriseParams.extend({ tag: z.string().trim().min(1, 'Name the tag.').describe('The tag (case-insensitive), URL-encoded.') });

/** `attachment; filename="..."`, with the RFC 5987 form too for clients that prefer it. */
const attachment = (fileName: string) => `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;

export function userOperations(services: Services): Operation[] {
  const users = services.users;
  return [
    defineOperation({
      id: 'listUsers',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/users',
      tag: 'Users',
      summary: 'The Users page: quick search, column filters (they stack), sort and paging. Removed users are left out unless status says otherwise.',
      params: enterpriseParams,
      query: userQuerySchema,
      response: { status: 200, description: 'One page of users, and how many match in all.', schema: userPageSchema },
      handle: ({ principal, params, query }) => users.query(principal, params.enterpriseId, query),
    }),
    defineStreamOperation({
      id: 'exportUsers',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/users/export',
      tag: 'Users',
      summary: "The Users page as a CSV file (UTF-8 with BOM) with the page's columns: same search, filters and sort, no paging.",
      params: enterpriseParams,
      query: userFilterSchema,
      response: {
        status: 200,
        description: 'CSV download: Teams username, Display name, SMS numbers, License, SMS, Chat, Tags, Status. Cells that a spreadsheet would read as a formula start with an apostrophe.',
        contentType: 'text/csv; charset=utf-8',
        stream: true,
      },
      handle: async ({ principal, params, query }) => {
        const { fileName, stream } = await users.export(principal, params.enterpriseId, query);
        return { stream, headers: { 'content-disposition': attachment(fileName) } };
      },
    }),
    defineOperation({
      id: 'getUser',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}',
      tag: 'Users',
      summary: 'One user as the Users page shows it, with its ETag.',
      params: userParams,
      response: { status: 200, description: 'The user.', schema: userRowSchema },
      handle: ({ principal, params }) => users.get(principal, params.enterpriseId, params.userId),
    }),
    defineOperation({
      id: 'setUserTags',
      method: 'PUT',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}/tags',
      tag: 'Users',
      summary: "Replace a user's tags: at most 5, each 1 to 20 characters, no duplicates ignoring case.",
      params: userParams,
      body: userTagsBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The user as saved, with its new ETag.', schema: userRowSchema },
      handle: ({ principal, params, body, ifMatch }) => users.setTags(principal, params.enterpriseId, params.userId, ifMatch, body.tags),
    }),
    defineOperation({
      id: 'setUserChatAccess',
      method: 'PUT',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}/chat-access',
      tag: 'Users',
      summary: "Whether Chat (the CHT service) follows the enterprise's setting for this user, or is on or off for them.",
      params: userParams,
      body: chatAccessBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The user as saved, with its new ETag.', schema: userRowSchema },
      handle: ({ principal, params, body, ifMatch }) => users.setChatAccess(principal, params.enterpriseId, params.userId, ifMatch, body.access),
    }),
    defineOperation({
      id: 'purgeUsers',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/users/purge',
      tag: 'Users',
      summary: 'Delete the users outside the sync group selection. Users holding SMS numbers are kept and named, with the reason.',
      params: enterpriseParams,
      body: purgeUsersBodySchema,
      response: { status: 200, description: 'How many were deleted, and who was kept.', schema: purgeResultSchema },
      handle: ({ principal, params }) => users.purge(principal, params.enterpriseId),
    }),
    defineOperation({
      id: 'listTags',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/tags',
      tag: 'Users',
      summary: "The enterprise's user tags with how many users have each, most used first (for suggestions).",
      params: enterpriseParams,
      response: { status: 200, description: 'The tags.', schema: tagListResponseSchema },
      handle: async ({ principal, params }) => ({ items: await users.tags(principal, params.enterpriseId) }),
    }),
    defineOperation({
      id: 'renameTag',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/tags/rename',
      tag: 'Users',
      summary: 'Rename a tag for every user who has it (case-insensitive). A user who already has the new name keeps one.',
      params: enterpriseParams,
      body: renameTagBodySchema,
      response: { status: 200, description: 'How many users changed, and any that could not be.', schema: tagChangeResultSchema },
      handle: ({ principal, params, body }) => users.renameTag(principal, params.enterpriseId, body.from, body.to),
    }),
    defineOperation({
      id: 'removeTag',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/tags/{tag}',
      tag: 'Users',
      summary: 'Remove a tag from every user who has it (case-insensitive).',
      params: tagParams,
      response: { status: 200, description: 'How many users changed, and any that could not be.', schema: tagChangeResultSchema },
      handle: ({ principal, params }) => users.removeTag(principal, params.enterpriseId, params.tag),
    }),
  ];
}
