// The Teams app package: manifest.json against the schema it names (validated offline with
// the copy bundled in @microsoft/app-manifest; `teamsapp validate` needs the internet),
// the two icons, and the placeholders the toolkit must be able to fill in.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { AppManifestUtils, type TeamsManifestV1D22 } from '@microsoft/app-manifest';
import { placeholders, providedNames, readText, ROOT, substitute } from '../infra/lifecycle';

type Manifest = TeamsManifestV1D22.TeamsManifestV1D22;

const MANIFEST = 'appPackage/manifest.json';

// Realistic values, as the toolkit would write them to env/.env.dev.
const TEST_VALUES: Readonly<Record<string, string>> = {
  TEAMS_APP_ID: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  BOT_ID: '6ba7b810-9dad-41d1-80b4-00c04fd430c8',
  AAD_APP_CLIENT_ID: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
  TAB_DOMAIN: 'app-sb1a2b3c.azurewebsites.net',
  TAB_ENDPOINT: 'https://app-sb1a2b3c.azurewebsites.net',
};

function renderedManifest(): Manifest {
  return JSON.parse(substitute(readText(MANIFEST), TEST_VALUES)) as Manifest;
}

describe('appPackage/manifest.json', () => {
  it('names a schema version whose schema is bundled, so validation never goes to the network', () => {
    const manifest = renderedManifest();
    const m = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}-[a-z]{2}\/)?json-schemas\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(manifest.$schema ?? '');
    expect(m).not.toBeNull();
    expect(manifest.manifestVersion).toBe(m![1]);
    expect(Number(m![1]!.split('.')[1])).toBeGreaterThanOrEqual(19);
    const packageDir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
    expect(existsSync(join(packageDir, 'build', 'json-schemas', 'teams', `v${m![1]}`, 'MicrosoftTeams.schema.json'))).toBe(true);
  });

  it('is valid against its schema once the placeholders are filled in', async () => {
    const errors = await AppManifestUtils.validateAgainstSchema(renderedManifest());
    expect(errors).toEqual([]);
  });

  it('leaves no placeholder behind after substitution', () => {
    expect(placeholders(JSON.stringify(renderedManifest())).size).toBe(0);
  });

  it('fails validation when a required field is missing or a value is malformed', async () => {
    const withoutDeveloper: Partial<Manifest> = renderedManifest();
    delete withoutDeveloper.developer;
    const missing = await AppManifestUtils.validateAgainstSchema(withoutDeveloper as Manifest);
    expect(missing.join('\n')).toMatch(/required property 'developer'/);

    const badBot = renderedManifest();
    badBot.bots![0]!.botId = 'not-a-guid';
    const malformed = await AppManifestUtils.validateAgainstSchema(badBot);
    expect(malformed.join('\n')).toMatch(/\/bots\/0\/botId/);

    // An unsubstituted template is not a valid manifest either: ids must be GUIDs.
    const raw = JSON.parse(readText(MANIFEST)) as Manifest;
    expect((await AppManifestUtils.validateAgainstSchema(raw)).length).toBeGreaterThan(0);
  });

  it('declares the bot, the message extension and the tabs the server implements', () => {
    const manifest = renderedManifest();
    const bot = manifest.bots?.[0];
    expect(bot?.botId).toBe(TEST_VALUES.BOT_ID);
    expect(bot?.scopes).toEqual(expect.arrayContaining(['personal', 'team', 'groupChat']));
    const commandTitles = (bot?.commandLists ?? []).flatMap((list) => list.commands.map((c) => c.title));
    expect(commandTitles).toEqual(expect.arrayContaining(['help']));

    const extension = manifest.composeExtensions?.[0];
    expect(extension?.botId).toBe(TEST_VALUES.BOT_ID);
    expect(extension?.commands?.find((c) => c.id === 'textCustomer')).toMatchObject({
      type: 'action',
      title: 'Text a customer',
      context: ['compose', 'commandBox', 'message'],
      fetchTask: true,
    });

    const tabs = new Map((manifest.staticTabs ?? []).map((tab) => [tab.entityId, tab]));
    expect(tabs.get('messages')?.contentUrl).toBe(`${TEST_VALUES.TAB_ENDPOINT}/index.html#/messages`);
    expect(tabs.get('admin')?.contentUrl).toBe(`${TEST_VALUES.TAB_ENDPOINT}/index.html#/admin`);
    expect(manifest.validDomains).toContain(TEST_VALUES.TAB_DOMAIN);
    expect(manifest.permissions).toEqual(expect.arrayContaining(['identity', 'messageTeamMembers']));
  });

  it('declares "Text a customer" as an action whose dialog the bot fetches, in the three places Teams offers it', () => {
    const extension = renderedManifest().composeExtensions?.[0];
    expect(extension?.composeExtensionType).toBe('botBased');
    const command = extension?.commands?.find((c) => c.id === 'textCustomer');
    // fetchTask: Teams asks the bot for the dialog (composeExtension/fetchTask), so the
    // command carries neither static parameters nor a taskInfo of its own.
    expect(command?.fetchTask).toBe(true);
    expect(command).not.toHaveProperty('parameters');
    expect(command).not.toHaveProperty('taskInfo');
    expect(command).not.toHaveProperty('initialRun');
    expect([...(command?.context ?? [])].sort()).toEqual(['commandBox', 'compose', 'message']);
    expect(command?.title.length).toBeLessThanOrEqual(32);
    expect(command?.description?.length ?? 0).toBeLessThanOrEqual(128);
    // Every action command must get its dialog from somewhere: fetched, or static parameters.
    for (const c of extension?.commands ?? []) {
      if (c.type === 'action') expect(c.fetchTask === true || (c.parameters ?? []).length > 0).toBe(true);
    }
  });

  it('asks Teams for SSO tokens for the Entra app that aad.manifest.json defines', () => {
    const manifest = JSON.parse(readText(MANIFEST)) as Manifest;
    const aad = JSON.parse(readText('aad.manifest.json')) as { appId: string; identifierUris: string[] };
    // Compared as templates: both files are filled from the same environment.
    expect(manifest.webApplicationInfo?.id).toBe(aad.appId);
    expect(aad.identifierUris).toContain(manifest.webApplicationInfo?.resource);
  });

  it.each([
    ['teamsapp.yml', 'env/.env.dev'],
    ['teamsapp.local.yml', 'env/.env.local'],
  ])('only uses placeholders that %s or %s provide', (yml, env) => {
    const provided = providedNames(yml, env);
    const missing = [...placeholders(readText(MANIFEST))].filter((name) => !provided.has(name));
    expect(missing).toEqual([]);
  });
});

describe('app icons', () => {
  it.each([
    ['color', 192],
    ['outline', 32],
  ] as const)('%s icon exists and is %ipx square', (kind, size) => {
    const file = renderedManifest().icons[kind];
    const png = readPng(join(ROOT, 'appPackage', file));
    expect([png.width, png.height]).toEqual([size, size]);
  });

  it('outline icon is white on a transparent background', () => {
    const png = readPng(join(ROOT, 'appPackage', renderedManifest().icons.outline));
    let transparent = 0;
    let white = 0;
    const offenders: string[] = [];
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b, a] = png.rgba.subarray(i * 4, i * 4 + 4);
      if (a === 0) transparent++;
      else if (r === 255 && g === 255 && b === 255) white++;
      else if (offenders.length < 5) offenders.push(`(${i % png.width},${Math.floor(i / png.width)}) rgba(${r},${g},${b},${a})`);
    }
    expect(offenders).toEqual([]);
    // Neither blank nor a filled square.
    expect(transparent).toBeGreaterThan(0);
    expect(white).toBeGreaterThan(0);
  });

  it('the PNG reader rejects a file that is not a PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });
});

interface Png {
  width: number;
  height: number;
  rgba: Buffer;
}

function readPng(path: string): Png {
  return decodePng(readFileSync(path));
}

/** Enough of PNG for icons: 8-bit, non-interlaced, any colour type; returns RGBA pixels. */
function decodePng(data: Buffer): Png {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 8 || !data.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  let palette: Buffer = Buffer.alloc(0);
  let paletteAlpha: Buffer = Buffer.alloc(0);
  const idat: Buffer[] = [];
  for (let offset = 8; offset + 8 <= data.length; ) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') paletteAlpha = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (bitDepth !== 8 || interlace !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, interlace ${interlace}`);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`unsupported PNG colour type ${colorType}`);

  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }

  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = pixels.subarray(i * channels, (i + 1) * channels);
    let px: [number, number, number, number];
    if (colorType === 6) px = [p[0]!, p[1]!, p[2]!, p[3]!];
    else if (colorType === 2) px = [p[0]!, p[1]!, p[2]!, 255];
    else if (colorType === 4) px = [p[0]!, p[0]!, p[0]!, p[1]!];
    else if (colorType === 0) px = [p[0]!, p[0]!, p[0]!, 255];
    else {
      const index = p[0]!;
      px = [palette[index * 3] ?? 0, palette[index * 3 + 1] ?? 0, palette[index * 3 + 2] ?? 0, paletteAlpha[index] ?? 255];
    }
    rgba.set(px, i * 4);
  }
  return { width, height, rgba };
}
