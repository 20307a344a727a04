import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../src/access/principal';
import { defaultEnterpriseSettings } from '../src/enterprises/schema';
import { newNumberEntry, type NumberHolder } from '../src/numbers/number';
import type { E164 } from '../src/rules/phone';
import { createServices, type Services } from '../src/services';
import type { SimulatorEvent } from '../src/carriers';
import { signSimulatorWebhook } from '../src/simulators/carriers/carrier-simulator';
import { testStore } from './storage';

/** A fresh enterprise on the run's Azurite with a simulator carrier connection, and a way to text its numbers. */
export async function simulatorEnterprise() {
  const services: Services = await createServices(testStore());
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  const admin: Principal = { userId: 'admin', name: 'Ada', tenantId: 't', role: 'global-admin', enterpriseId };
  const credentials = { apiKey: `key-${randomBytes(6).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
  const connection = await services.carrierConnections.create(admin, enterpriseId, { type: 'simulator', name: 'Simulator', credentials });
  const webhook = services.carrierConnections.webhookUrl('simulator', connection.id);
  return {
    services,
    enterpriseId,
    connection,
    /** Adds a number on the simulator connection, held by `holder`. */
    addNumber: (number: E164, holder: NumberHolder) => services.numberRepository.create({ ...newNumberEntry(enterpriseId, number, at, { carrierConnectionId: connection.id }), holder }),
    /** A customer's text, as the simulator carrier's signed webhook delivers it. */
    receive: (event: SimulatorEvent) => services.inboundSms.receive('simulator', connection.id, signSimulatorWebhook(webhook, event, credentials.signingSecret)),
  };
}
