/** Microsoft Graph + Entra ID simulator for dev mode and tests (see README.md). */
export { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './simulator';
export type { SimulatedTenant, DeltaExpiry } from './tenant';
export type { FaultSwitches } from './faults';
export { SIMULATOR_CLIENT_SECRET, APP_ROLES, GRAPH_RESOURCE } from './entra';
export { SERVICE_PLANS, type AssignedPlan, type CapabilityStatus, type GraphGroup, type GraphUser, type RecordedRequest, type TenantSeed } from './types';
export { simulatorClients, simulatorCredential, type SimulatorClients } from './test-clients';
export { simulatorConnection } from './test-clients';
