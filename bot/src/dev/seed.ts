import { defaultEnterpriseSettings, systemActor, type Services } from '@switchboard/shared';
import { DEV_PROVIDER_TENANT, DEV_TENANTS } from './dev-sign-in';

/**
 * Demo enterprises for local development, so every dev sign-in identity lands
 * somewhere: Contoso lets its provider manage it, Fabrikam does not.
 */
export async function seedDevData(services: Services): Promise<void> {
  const demo = [
    { id: 'contoso', name: 'Contoso', tenantId: DEV_TENANTS.contoso, allowProviderManagement: true },
    { id: 'fabrikam', name: 'Fabrikam', tenantId: DEV_TENANTS.fabrikam, allowProviderManagement: false },
  ];
  for (const { id, name, tenantId, allowProviderManagement } of demo) {
    if (await services.enterpriseRepository.byTenant(tenantId)) continue;
    const at = new Date().toISOString();
    const enterprise = { id, name, tenantId, providerId: DEV_PROVIDER_TENANT, createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings, allowProviderManagement } };
    await services.enterpriseRepository.create(enterprise);
    await services.activity.record({ scope: id, actor: systemActor, action: 'enterprise.created', entity: { type: 'enterprise', id, name }, summary: `Added demo enterprise ${name}.`, after: enterprise });
  }
}
