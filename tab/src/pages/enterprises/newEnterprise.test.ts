import { describe, expect, it } from '@jest/globals';
import { normaliseNewEnterprise, validateNewEnterprise } from './newEnterprise';

describe('new enterprise', () => {
  it('needs a name and a GUID tenant id', () => {
    expect(validateNewEnterprise({ name: ' ', tenantId: '' })).toEqual({
      name: 'Give the enterprise a name.',
      tenantId: "Enter the enterprise's Microsoft tenant ID.",
    });
    expect(validateNewEnterprise({ name: 'N', tenantId: 'not-a-guid' }).tenantId).toMatch(/GUID/);
    expect(validateNewEnterprise({ name: 'N', tenantId: ' 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ' })).toEqual({});
  });

  it('sends trimmed values and a lower-case tenant id', () => {
    expect(normaliseNewEnterprise({ name: ' Northwind ', tenantId: ' 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ' })).toEqual({
      name: 'Northwind',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
  });
});
