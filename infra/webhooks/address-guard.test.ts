import { checkWebhookUrl, guardedLookup, isPublicAddress, WebhookUrlRefused, type ResolveAll } from './address-guard';

const enforce = { enforce: true };
const relaxed = { enforce: false };
const resolvesTo = (...addresses: string[]): ResolveAll => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

test.each([
  ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], // private
  ['127.0.0.1', false], ['::1', false], // loopback
  ['169.254.169.254', false], ['fe80::1', false], // link-local (cloud metadata)
  ['100.64.0.1', false], // carrier-grade NAT
  ['fd00::1', false], ['fc00::5', false], // unique-local IPv6
  ['::ffff:127.0.0.1', false], ['::ffff:10.0.0.1', false], ['::ffff:8.8.8.8', false], // IPv4-mapped
  ['0.0.0.0', false], ['::', false], ['255.255.255.255', false], ['224.0.0.1', false],
  ['64:ff9b::a00:1', false], // NAT64 carrying 10.0.0.1
  ['2001:db8::1', false], // documentation
  ['8.8.8.8', true], ['93.184.215.14', true], ['2606:4700:4700::1111', true],
  ['not-an-ip', false],
])('%s is public: %s', (address, expected) => {
  expect(isPublicAddress(address)).toBe(expected);
});

describe('production (enforced)', () => {
  test('http is refused, also to a public address', async () => {
    await expect(checkWebhookUrl('http://8.8.8.8/hook', enforce)).rejects.toThrow(/https/);
  });
  test('an https URL whose name resolves to public addresses passes', async () => {
    await expect(checkWebhookUrl('https://hooks.example.com/x', enforce, resolvesTo('93.184.215.14', '2606:4700:4700::1111'))).resolves.toMatchObject({ addresses: ['93.184.215.14', '2606:4700:4700::1111'] });
  });
  test.each([
    ['https://127.0.0.1/x', undefined],
    ['https://[::1]/x', undefined],
    ['https://[::ffff:7f00:1]/x', undefined],
    ['https://169.254.169.254/latest/meta-data', undefined],
    ['https://internal.example.com/x', resolvesTo('10.0.0.7')],
    ['https://mixed.example.com/x', resolvesTo('93.184.215.14', '192.168.0.10')],
    ['https://cgnat.example.com/x', resolvesTo('100.100.1.1')],
    ['https://ula.example.com/x', resolvesTo('fd12:3456::1')],
  ])('%s is refused', async (url, resolve) => {
    await expect(checkWebhookUrl(url, enforce, resolve ?? resolvesTo())).rejects.toBeInstanceOf(WebhookUrlRefused);
  });
  test('a name that does not resolve is refused', async () => {
    await expect(checkWebhookUrl('https://nowhere.example/x', enforce, async () => { throw new Error('ENOTFOUND'); })).rejects.toThrow(/resolve/);
  });
  test('credentials in the URL are refused', async () => {
    await expect(checkWebhookUrl('https://u:p@hooks.example.com/x', enforce, resolvesTo('8.8.8.8'))).rejects.toThrow(/credentials/);
  });
  test('the connect-time lookup refuses a name that now resolves privately (DNS rebinding)', async () => {
    const lookup = guardedLookup(enforce, resolvesTo('127.0.0.1'));
    const error = await new Promise<unknown>((resolve) => lookup('rebind.example.com', { all: true }, (err) => resolve(err)));
    expect(error).toBeInstanceOf(WebhookUrlRefused);
    const ok = await new Promise<unknown>((resolve) => guardedLookup(enforce, resolvesTo('8.8.8.8'))('ok.example.com', {}, (err, address) => resolve(err ?? address)));
    expect(ok).toBe('8.8.8.8');
  });
});

describe('outside production (or WEBHOOKS_ALLOW_PRIVATE=1)', () => {
  test('http://127.0.0.1 is allowed', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:4000/hook', relaxed)).resolves.toBeTruthy();
  });
  test('other schemes are still refused', async () => {
    await expect(checkWebhookUrl('ftp://127.0.0.1/x', relaxed)).rejects.toBeInstanceOf(WebhookUrlRefused);
  });
});
