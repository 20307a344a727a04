/** Client-side checks for "Add enterprise"; the server checks the same and has the last word. */

export type NewEnterpriseField = 'name' | 'tenantId';
export const NEW_ENTERPRISE_FIELDS: readonly NewEnterpriseField[] = ['name', 'tenantId'];

export interface NewEnterpriseValues {
  name: string;
  tenantId: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateNewEnterprise(values: NewEnterpriseValues): Partial<Record<NewEnterpriseField, string>> {
  const errors: Partial<Record<NewEnterpriseField, string>> = {};
  const name = values.name.trim();
  if (!name) errors.name = 'Give the enterprise a name.';
  else if (name.length > 120) errors.name = 'Use at most 120 characters.';
  const tenantId = values.tenantId.trim();
  if (!tenantId) errors.tenantId = "Enter the enterprise's Microsoft tenant ID.";
  else if (!GUID.test(tenantId)) errors.tenantId = 'Must be a Microsoft tenant ID: a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.';
  return errors;
}

/** What is sent: trimmed, tenant id in the lower case Entra uses. */
export const normaliseNewEnterprise = (values: NewEnterpriseValues): NewEnterpriseValues => ({
  name: values.name.trim(),
  tenantId: values.tenantId.trim().toLowerCase(),
});
