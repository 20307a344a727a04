import { z } from 'zod';
import {
  addNumberBodySchema,
  addNumberRangeBodySchema,
  importNumbersBodySchema,
  numberImportReportSchema,
  numberPageSchema,
  numberQuerySchema,
  numberRangeResultSchema,
  numberViewSchema,
  smsConfigBodySchema,
  smsUserQuerySchema,
  smsUserSaveResultSchema,
  smsUserViewSchema,
  updateNumberBodySchema,
  type Services,
} from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const numberParams = enterpriseParams.extend({
  number: z.string().min(1).describe('The number in E.164, URL-encoded (%2B14155550123); the digits alone (14155550123) work too.'),
});
const userParams = enterpriseParams.extend({ userId: z.string().min(1).describe('The user id (Entra object id).') });

/** The Numbers page (inventory) and the SMS User Configuration dialog. */
export function numberOperations(services: Services): Operation[] {
  const numbers = services.numbers;
  const assignments = services.smsAssignments;
  return [
    defineOperation({
      id: 'listNumbers',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/numbers',
      tag: 'Numbers',
      summary: "The enterprise's phone numbers: quick search (digits ignoring formatting, or label, holder, extension, carrier), filters by status, carrier and capability, sort and paging.",
      params: enterpriseParams,
      query: numberQuerySchema,
      response: { status: 200, description: 'One page of numbers, and how many match in all.', schema: numberPageSchema },
      handle: ({ principal, params, query }) => numbers.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'addNumber',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/numbers',
      tag: 'Numbers',
      summary: 'Add one number to the inventory (validated for its country, stored as E.164). 409 when it is already there.',
      params: enterpriseParams,
      body: addNumberBodySchema,
      response: { status: 201, description: 'The number added, with its ETag.', schema: numberViewSchema },
      handle: ({ principal, params, body }) => numbers.add(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'addNumberRange',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/numbers/range',
      tag: 'Numbers',
      summary: 'Add a range of numbers, from and to included: same country and length, at most 1,000 numbers. Numbers already there are reported, not duplicated; numbers of the range invalid for their country are reported and skipped.',
      params: enterpriseParams,
      body: addNumberRangeBodySchema,
      response: { status: 200, description: 'What was added, what was already there, what was invalid.', schema: numberRangeResultSchema },
      handle: ({ principal, params, body }) => numbers.addRange(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'importNumbers',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/numbers/import',
      tag: 'Numbers',
      summary: 'Add numbers from a CSV sent as JSON { csv: "<file text>" }: columns number,label,capabilities,carrier,extension. Answers a report per row: added, already present, or invalid with the reason.',
      params: enterpriseParams,
      body: importNumbersBodySchema,
      response: { status: 200, description: 'The report, row by row.', schema: numberImportReportSchema },
      handle: ({ principal, params, body }) => numbers.importCsv(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'getNumber',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/numbers/{number}',
      tag: 'Numbers',
      summary: 'One number, with its holder and ETag.',
      params: numberParams,
      response: { status: 200, description: 'The number.', schema: numberViewSchema },
      handle: ({ principal, params }) => numbers.get(principal, params.enterpriseId, params.number),
    }),
    defineOperation({
      id: 'updateNumber',
      method: 'PATCH',
      path: '/api/admin/enterprises/{enterpriseId}/numbers/{number}',
      tag: 'Numbers',
      summary: "Change a number's label, capabilities, carrier connection or extension. SMS cannot be turned off while the number is assigned.",
      params: numberParams,
      body: updateNumberBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The number as saved, with its new ETag.', schema: numberViewSchema },
      handle: ({ principal, params, body, ifMatch }) => numbers.update(principal, params.enterpriseId, params.number, ifMatch, body),
    }),
    defineOperation({
      id: 'deleteNumber',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/numbers/{number}',
      tag: 'Numbers',
      summary: 'Delete a number from the inventory. Refused (409, naming the holder) while it is assigned.',
      params: numberParams,
      requiresIfMatch: true,
      response: { status: 204, description: 'Deleted.' },
      handle: async ({ principal, params, ifMatch }) => {
        await numbers.delete(principal, params.enterpriseId, params.number, ifMatch);
      },
    }),
    defineOperation({
      id: 'getUserSms',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}/sms',
      tag: 'SMS users',
      summary: "The SMS User Configuration dialog: SMS on or off, the user's numbers, tags, a warning when the user has no Teams licence, and the unassigned SMS-capable numbers that can be added.",
      params: userParams,
      query: smsUserQuerySchema,
      response: { status: 200, description: "The user's SMS configuration, with the user's ETag.", schema: smsUserViewSchema },
      handle: ({ principal, params, query }) => assignments.view(principal, params.enterpriseId, params.userId, query),
    }),
    defineOperation({
      id: 'setUserSms',
      method: 'PUT',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}/sms',
      tag: 'SMS users',
      summary: "Save the dialog, all or nothing: SMS on or off, the complete list of the user's numbers (each in the inventory, SMS-capable and not held by someone else), tags. If-Match is the user's ETag.",
      params: userParams,
      body: smsConfigBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The configuration as saved (new user ETag) and what changed.', schema: smsUserSaveResultSchema },
      handle: ({ principal, params, body, ifMatch }) => assignments.save(principal, params.enterpriseId, params.userId, ifMatch, body),
    }),
    defineOperation({
      id: 'removeUserSmsNumbers',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/users/{userId}/sms/numbers',
      tag: 'SMS users',
      summary: "Remove All: release every number of the user (the SMS switch stays as it is). If-Match is the user's ETag.",
      params: userParams,
      requiresIfMatch: true,
      response: { status: 200, description: 'The configuration as saved (new user ETag) and what changed.', schema: smsUserSaveResultSchema },
      handle: ({ principal, params, ifMatch }) => assignments.removeAll(principal, params.enterpriseId, params.userId, ifMatch),
    }),
  ];
}
