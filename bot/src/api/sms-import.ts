import { Readable } from 'node:stream';
import { z } from 'zod';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, smsImportBodySchema, smsImportReportSchema, smsImportStatusSchema, type Services } from '@switchboard/shared';
import { defineOperation, defineStreamOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const importParams = enterpriseParams.extend({ importId: z.string().min(1).describe('The id the validation answered.') });

/** Room for the JSON form of a file at the import limit (quotes are escaped); the import's own limit is checked after. */
const MAX_UPLOAD_BYTES = 3 * IMPORT_MAX_BYTES;
const LIMIT_TEXT = `${IMPORT_MAX_BYTES / 1024 / 1024} MiB and ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows`;

/** `attachment; filename="..."`, with the RFC 5987 form too. */
const attachment = (fileName: string) => `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;

/** Bulk SMS configuration of existing directory users from a CSV file: template, validate, apply, progress. */
export function smsImportOperations(services: Services): Operation[] {
  const imports = services.smsImports;
  return [
    defineStreamOperation({
      id: 'getSmsImportTemplate',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/sms-import/template',
      tag: 'SMS import',
      summary: 'The CSV template for the bulk SMS import: one row per user; numbers and tags separated by ";"; rows starting with # are examples and skipped.',
      params: enterpriseParams,
      response: {
        status: 200,
        description: 'CSV download (UTF-8 with BOM): Teams username, SMS numbers, Enable SMS (yes/no), Tags.',
        contentType: 'text/csv; charset=utf-8',
        stream: true,
      },
      handle: async ({ principal, params }) => {
        const { fileName, content } = await imports.template(principal, params.enterpriseId);
        return { stream: Readable.from([Buffer.from(content, 'utf8')]), headers: { 'content-disposition': attachment(fileName) } };
      },
    }),
    defineOperation({
      id: 'validateSmsImport',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/sms-import/validate',
      tag: 'SMS import',
      summary:
        `Check a bulk SMS import file row by row, changing nothing: a report per row (errors block the import, warnings do not) and an importId to apply exactly this content. ` +
        `Send the file as text/csv (name it with ?fileName=) or as JSON { csv, fileName }. At most ${LIMIT_TEXT}.`,
      params: enterpriseParams,
      query: z.object({ fileName: z.string().max(255).optional().describe('The file name, when the body is the file itself.') }),
      body: smsImportBodySchema,
      fileBody: {
        contentTypes: ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'],
        field: 'csv',
        maxBytes: MAX_UPLOAD_BYTES,
        tooLarge: `The file is larger than an import accepts: at most ${LIMIT_TEXT} per file. Split it into smaller files.`,
      },
      response: { status: 200, description: 'The report; canApply tells whether it can be applied.', schema: smsImportReportSchema },
      handle: ({ principal, params, query, body }) => imports.validate(principal, params.enterpriseId, body.csv, body.fileName ?? query.fileName),
    }),
    defineOperation({
      id: 'applySmsImport',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/sms-import/{importId}/apply',
      tag: 'SMS import',
      summary:
        'Apply a validated import (only one without errors: 409 otherwise) in the background, one user at a time all-or-nothing; numbers taken since the validation fail their row. ' +
        'Applying it again re-applies it (nothing changes twice); a run that stopped midway resumes.',
      params: importParams,
      response: { status: 202, description: 'Applying; poll GET .../sms-import/{importId} for progress.', schema: smsImportStatusSchema },
      handle: ({ principal, params }) => imports.apply(principal, params.enterpriseId, params.importId),
    }),
    defineOperation({
      id: 'getSmsImport',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/sms-import/{importId}',
      tag: 'SMS import',
      summary: 'Where an import stands: validated, applying (with progress), applied or failed; changed, unchanged and failed rows, with the failures.',
      params: importParams,
      response: { status: 200, description: 'The import status.', schema: smsImportStatusSchema },
      handle: ({ principal, params }) => imports.status(principal, params.enterpriseId, params.importId),
    }),
  ];
}
