import type dns from 'node:dns';
import { BlockedHostError, checkAddress, classifyAddress, guardedLookup, isPrivateAddress, literalAddress } from '../../src/ingest/net-guard';

describe('classifyAddress', () => {
  // Address, and what the refusal names (the ipaddr.js range, or the embedded IPv4 and its range).
  it.each([
    // IANA IPv4 Special-Purpose Address Registry, not globally reachable
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.1', 'reserved'],
    ['192.0.0.9', 'reserved'], // PCP anycast: globally reachable in the registry, refused by choice (see net-guard.ts)
    ['192.0.2.1', 'reserved'], // TEST-NET-1
    ['192.88.99.1', 'reserved'], // deprecated 6to4 relay anycast
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'], // benchmarking
    ['198.51.100.1', 'reserved'], // TEST-NET-2
    ['203.0.113.1', 'reserved'], // TEST-NET-3
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IANA IPv6 Special-Purpose Address Registry, not globally reachable
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['100::1', 'discard'],
    ['2001::1', 'teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:1::1', 'reserved'], // PCP anycast, as 192.0.0.9
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'deprecatedOrchid'],
    ['2001:db8::1', 'reserved'], // documentation
    ['3fff::1', 'reserved'], // documentation (RFC 9637)
    ['5f00::1', 'segmentRouting'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    // Not in ipaddr.js's tables, and outside global unicast 2000::/3
    ['100:0:0:1::1', 'outside global unicast 2000::/3'],
    ['64:ff9b:0:1::1', 'outside global unicast 2000::/3'],
    // IPv6 forms carrying an IPv4 address: the IPv4 address decides
    ['::127.0.0.1', 'IPv4-compatible form of 127.0.0.1, loopback'],
    ['::7f00:1', 'IPv4-compatible form of 127.0.0.1, loopback'],
    ['::a00:1', 'IPv4-compatible form of 10.0.0.1, private'],
    ['::2', 'IPv4-compatible form of 0.0.0.2, unspecified'],
    ['::ffff:127.0.0.1', 'IPv4-mapped form of 127.0.0.1, loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped form of 169.254.169.254, linkLocal'],
    ['::ffff:0:7f00:1', 'IPv4-translated form of 127.0.0.1, loopback'],
    ['2002:7f00:1::', '6to4 form of 127.0.0.1, loopback'],
    ['2002:a00:1::1', '6to4 form of 10.0.0.1, private'],
    ['2002:c0a8:101:5::1', '6to4 form of 192.168.1.1, private'],
    ['64:ff9b::7f00:1', 'NAT64 form of 127.0.0.1, loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 form of 10.0.0.1, private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 form of 169.254.169.254, linkLocal'],
    ['64:ff9b:1::a00:1', 'local-use NAT64 64:ff9b:1::/48'],
    ['64:ff9b:1::808:808', 'local-use NAT64 64:ff9b:1::/48'], // refused whole, whatever it embeds
    // Not an address at all: refused rather than guessed at
    ['localhost', 'not an IP address'],
    ['2130706433', 'not an IP address'],
    ['', 'not an IP address'],
  ])('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ globallyReachable: false, range });
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    ['1.1.1.1', 'unicast'],
    ['8.8.8.8', 'unicast'],
    ['93.184.215.14', 'unicast'],
    ['151.101.1.69', 'unicast'],
    ['192.52.193.1', 'amt'],
    ['192.31.196.1', 'as112'],
    ['192.175.48.1', 'as112'],
    ['2606:4700:4700::1111', 'unicast'],
    ['2001:4860:4860::8888', 'unicast'],
    ['2a00:1450:4001:80b::200e', 'unicast'],
    ['2001:3::1', 'amt'],
    ['2001:4:112::1', 'as112v6'],
    ['2620:4f:8000::1', 'as112v6'],
    ['2001:20::1', 'orchid2'],
    ['2001:30::1', 'droneRemoteIdProtocolEntityTags'],
    ['::ffff:1.1.1.1', 'IPv4-mapped form of 1.1.1.1, unicast'],
    ['::808:808', 'IPv4-compatible form of 8.8.8.8, unicast'],
    ['64:ff9b::808:808', 'NAT64 form of 8.8.8.8, unicast'],
    ['2002:808:808::1', '6to4 form of 8.8.8.8, unicast'],
  ])('allows %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ globallyReachable: true, range });
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('literalAddress', () => {
  // WHATWG URL parsing rewrites the host before the guard sees it: the guard judges that form.
  it.each([
    ['http://127.0.0.1:8100/x.xml', '127.0.0.1'],
    ['http://2130706433:8100/x.xml', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[::1]/', '::1'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1'],
    ['http://[::127.0.0.1]/', '::7f00:1'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
    ['http://[2002:7f00:1::]/', '2002:7f00:1::'],
    ['http://[64:ff9b::10.0.0.1]/', '64:ff9b::a00:1'],
    ['http://[100::1]/', '100::1'],
    ['http://[2001:db8::1]/', '2001:db8::1'],
  ])('%s is the literal address %s, refused', (url, address) => {
    const literal = literalAddress(new URL(url).hostname);
    expect(literal).toBe(address);
    expect(checkAddress(literal!, literal!, false)).toBeInstanceOf(BlockedHostError);
    expect(checkAddress(literal!, literal!, true)).toBeNull();
  });

  it.each([
    ['http://example.org/feed', null],
    ['http://127.0.0.1.nip.io/', null],
    ['http://localhost:8100/', null],
    ['https://1.1.1.1/', '1.1.1.1'],
    ['https://[2606:4700:4700::1111]/', '2606:4700:4700::1111'],
  ])('%s → %s, not refused as a literal', (url, address) => {
    const literal = literalAddress(new URL(url).hostname);
    expect(literal).toBe(address);
    if (literal) expect(checkAddress(literal, literal, false)).toBeNull();
  });
});

describe('BlockedHostError', () => {
  it.each([
    ['localhost', '127.0.0.1', 'localhost resolves to 127.0.0.1, which is not a globally reachable address (loopback)'],
    ['::7f00:1', '::7f00:1', '::7f00:1 is not a globally reachable address (IPv4-compatible form of 127.0.0.1, loopback)'],
  ])('says what %s is and how to allow it', (host, address, start) => {
    const err = checkAddress(host, address, false)!;
    expect(err.code).toBe('FW_BLOCKED_HOST');
    expect(err.message.startsWith(start)).toBe(true);
    expect(err.message).toContain('FETCH_ALLOW_PRIVATE_HOSTS=true');
  });
});

describe('guardedLookup', () => {
  function lookup(hostname: string, allowPrivate: boolean): Promise<dns.LookupAddress[]> {
    return new Promise((resolve, reject) => {
      guardedLookup(allowPrivate)(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as dns.LookupAddress[])));
    });
  }

  it('refuses a name that resolves to a loopback address', async () => {
    await expect(lookup('localhost', false)).rejects.toMatchObject({ code: 'FW_BLOCKED_HOST', message: expect.stringMatching(/^localhost resolves to /) });
  });

  it('gives the addresses when private hosts are allowed', async () => {
    const addresses = await lookup('localhost', true);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => isPrivateAddress(a.address))).toBe(true);
  });
});
