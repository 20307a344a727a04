import { newDirectoryUser, type DirectoryUser } from '../src/directory/user';
import type { Stored } from '../src/store/repository';

/** A directory user with sensible defaults; `overrides` wins. */
export function makeUser(overrides: Partial<DirectoryUser> & { id: string }): DirectoryUser {
  const name = overrides.id;
  const identity = { enterpriseId: 'ent', id: name, userPrincipalName: `${name}@contoso.com`, displayName: name, mail: `${name}@contoso.com`, accountEnabled: true, userType: 'Member', teamsLicensed: true, teamsPhoneLicensed: false };
  return { ...newDirectoryUser(identity, '2026-01-01T00:00:00.000Z'), ...overrides };
}

export const stored = (value: DirectoryUser, etag = `W/"${value.id}"`): Stored<DirectoryUser> => ({ value, etag });

/** `count` generated users of one enterprise, varied enough for filters and sorting. */
export function generatedUsers(enterpriseId: string, count: number): DirectoryUser[] {
  const first = ['Ada', 'Émile', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan'];
  const last = ['Lovelace', 'Zola', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Turing'];
  const tagPool = ['Sales', 'Support', 'VIP', 'Night shift', 'Berlin', 'London', 'Field', 'Managers'];
  return Array.from({ length: count }, (_, i) => {
    const id = `u${String(i).padStart(6, '0')}`;
    const given = first[i % first.length]!;
    const family = last[Math.floor(i / first.length) % last.length]!;
    const numbers = i % 3 === 0 ? [`+1555${String(1_000_000 + i).slice(-7)}`] : [];
    const tags = i % 4 === 0 ? [tagPool[i % tagPool.length]!, tagPool[(i + 3) % tagPool.length]!] : i % 5 === 0 ? [tagPool[i % tagPool.length]!] : [];
    return makeUser({
      enterpriseId,
      id,
      userPrincipalName: `${given.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '')}.${family.toLowerCase()}${i}@contoso.com`,
      displayName: `${given} ${family} ${i}`,
      mail: i % 7 === 0 ? null : `${given.toLowerCase()}${i}@contoso.com`,
      teamsLicensed: i % 10 !== 0,
      removed: i % 50 === 49,
      inSelection: i % 25 !== 24,
      tags,
      sms: { enabled: numbers.length > 0 && i % 2 === 0, numbers },
      chatAccess: i % 11 === 0 ? 'deny' : i % 13 === 0 ? 'allow' : 'inherit',
    });
  });
}
