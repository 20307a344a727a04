import { X509Certificate } from 'node:crypto';
import { createSelfSignedCertificate } from './certificate';
import { generateDirectory } from './seed';
import { startGraphSimulator } from './simulator';
import { simulatorClients } from './test-clients';
import { SERVICE_PLANS, type GraphUser } from './types';

const planStatus = (user: GraphUser, kind: keyof typeof SERVICE_PLANS) => user.assignedPlans.find((p) => p.servicePlanId === SERVICE_PLANS[kind].servicePlanId)?.capabilityStatus;
const share = (users: GraphUser[], predicate: (u: GraphUser) => boolean) => users.filter(predicate).length / users.length;

describe('Graph simulator: demo tenants', () => {
  it('are deterministic per seed and differ between tenants', () => {
    const a = generateDirectory('tenant-a', { users: 50 });
    expect(generateDirectory('tenant-a', { users: 50 })).toEqual(a);
    expect(generateDirectory('tenant-b', { users: 50 }).users[0]!.id).not.toBe(a.users[0]!.id);
    expect(generateDirectory('tenant-b', { users: 50, seed: 7 })).toEqual(generateDirectory('tenant-c', { users: 50, seed: 7 }));
  });

  it('mix licences, guests, disabled accounts and departments like a real directory', () => {
    const { users, groups, domain } = generateDirectory('mix', { users: 5000, displayName: 'Fabrikam Field Services' });
    expect(domain).toBe('fabrikamfieldservices.onmicrosoft.com');
    const members = users.filter((u) => u.userType === 'Member');
    const guests = users.filter((u) => u.userType === 'Guest');
    expect(guests.length / users.length).toBeCloseTo(0.05, 1);
    expect(share(members, (u) => planStatus(u, 'teams') !== undefined)).toBeCloseTo(0.85, 1);
    expect(share(members, (u) => planStatus(u, 'teams') === 'Enabled')).toBeGreaterThan(0.78);
    expect(share(members, (u) => planStatus(u, 'teamsPhone') !== undefined)).toBeCloseTo(0.85 * 0.3, 1);
    expect(share(members, (u) => planStatus(u, 'teams') === 'Suspended')).toBeCloseTo(0.03, 1);
    expect(share(members, (u) => !u.accountEnabled)).toBeCloseTo(0.03, 1);
    expect(new Set(users.map((u) => u.userPrincipalName.toLowerCase())).size).toBe(users.length);
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    for (const guest of guests) {
      expect(guest.userPrincipalName).toMatch(/^[a-z0-9.]+_[a-z0-9.]+#EXT#@fabrikamfieldservices\.onmicrosoft\.com$/);
      expect(guest.assignedPlans).toEqual([]);
    }
    for (const member of members) expect(member.userPrincipalName).toMatch(/^[a-z0-9]+\.[a-z0-9]+\d*@fabrikamfieldservices\.onmicrosoft\.com$/);
    expect(users[0]).toMatchObject({ jobTitle: 'Chief Executive Officer', department: 'Leadership', accountEnabled: true });
    expect(new Set(members.map((u) => u.department))).toEqual(new Set(['Sales', 'Support', 'Field Service', 'Finance', 'Engineering', 'Leadership']));
    expect(groups.map((g) => g.displayName)).toEqual(['All Staff', 'Sales', 'Support', 'Field Service', 'Finance', 'Engineering', 'Leadership', 'Field Service Dispatch', 'Project Falcon']);
    expect(groups.find((g) => g.displayName === 'Project Falcon')!.memberIds).toEqual([]);
  });

  it('generates 50,000 users, and the simulator serves them all through users/delta', async () => {
    const tenantId = '50000000-0000-4000-8000-000000000000';
    const sim = await startGraphSimulator({ tenants: { [tenantId]: { users: 50_000 } } });
    try {
      expect(sim.tenant(tenantId).users()).toHaveLength(50_000);
      const { client } = await simulatorClients(sim, tenantId);
      const seen = new Set<string>();
      let pages = 0;
      let url: string | undefined = '/users/delta?$select=id,displayName,userPrincipalName,mail,accountEnabled,userType,assignedPlans';
      while (url) {
        const body: any = await client.api(url).header('Prefer', 'odata.maxpagesize=999').get();
        for (const user of body.value) seen.add(user.id);
        pages++;
        url = body['@odata.nextLink'];
        if (!url) expect(body['@odata.deltaLink']).toBeDefined();
      }
      expect(seen.size).toBe(50_000);
      expect(pages).toBe(Math.ceil(50_000 / 999));
    } finally {
      await sim.stop();
    }
  });
});

describe('Graph simulator: certificate', () => {
  it('is a self-signed CA for 127.0.0.1, ::1 and localhost, made without openssl', () => {
    const { cert, key } = createSelfSignedCertificate();
    const x509 = new X509Certificate(cert);
    expect(x509.ca).toBe(true);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(require('node:crypto').createPrivateKey(key))).toBe(true);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 7 * 24 * 3600 * 1000);
  });
});
