import { DsError } from './errors.js';

/**
 * The deterministic subnet allocator of the original (instance-lifecycle §2): the lowest
 * free index wins, an index maps to a CIDR by adding it to one octet of the base offset
 * with carry. Pure functions only: callers run them inside a state update.
 */

export interface SubnetConfig {
  /** IPv4 literal, e.g. `10.10.0.0`. */
  baseOffset: string;
  /** Prefix length of each instance subnet, e.g. 16. */
  subnetSize: number;
  /** `"X.Y"`: the last two octets of each instance's MetalLB IP. */
  metallbHostOffset: string;
}

export interface SubnetAllocation {
  index: number;
  cidr: string;
  metallbIp: string;
}

/** The /30 that links an instance's namespace to the host. */
export interface LinkAddresses {
  network: string;
  hostIp: string;
  nsIp: string;
  prefix: 30;
}

export function parseIPv4(text: string): [number, number, number, number] {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new DsError('DS_ERR_CONFIG', `network.base_offset: invalid base offset IP: ${JSON.stringify(text)} (expected an IPv4 address such as 10.10.0.0)`);
  }
  return parts.map(Number) as [number, number, number, number];
}

/** Lowest index in 0…next not used by any instance (freed indices are reused). */
export function chooseSubnetIndex(usedIndices: Iterable<number>, nextSubnetIndex: number): number {
  const used = new Set(usedIndices);
  if (used.size === 0) return 0;
  for (let i = 0; i <= nextSubnetIndex; i++) {
    if (!used.has(i)) return i;
  }
  return nextSubnetIndex;
}

/** Adds `index` to the octet the subnet size selects, carrying into the one above. */
export function indexToCidr(index: number, config: Pick<SubnetConfig, 'baseOffset' | 'subnetSize'>): string {
  if (!Number.isInteger(index) || index < 0) {
    throw new DsError('DS_ERR_INTERNAL', `subnet index must be non-negative, got ${index}`);
  }
  const octets = parseIPv4(config.baseOffset);
  const size = config.subnetSize;
  const base = `${config.baseOffset}/${size}`;
  const [lo, hi, overflowText] =
    size <= 16 ? [1, 0, 'overflows past 255.255'] : size <= 24 ? [2, 1, 'overflows past 255.255.255'] : [3, 2, 'overflows the fourth octet'];
  const sum = octets[lo]! + index;
  const carried = octets[hi]! + Math.floor(sum / 256);
  if (carried > 255 || (size > 24 && sum > 255)) {
    throw new DsError('DS_ERR_SUBNET_EXHAUSTED', `allocating subnet: subnet index ${index} ${overflowText} from base ${base}; delete unused instances or choose another network.base_offset`, {
      details: { index, base },
    });
  }
  octets[lo] = sum % 256;
  octets[hi] = carried;
  return `${octets.join('.')}/${size}`;
}

/** The subnet's address with octets 3 and 4 replaced by the configured host offset. */
export function metallbIp(cidr: string, hostOffset: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(hostOffset);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
    throw new DsError('DS_ERR_CONFIG', `network.metallb_host_offset: invalid host offset ${JSON.stringify(hostOffset)} (expected "X.Y", e.g. "10.10")`);
  }
  const [a, b] = parseIPv4(cidr.split('/')[0]!);
  return `${a}.${b}.${m[1]}.${m[2]}`;
}

/**
 * The /30 at the start of the instance subnet. The original derives it from the first two
 * octets only, which collides for sizes other than /16; for /16 the result is identical.
 */
export function linkAddresses(cidr: string): LinkAddresses {
  const [a, b, c, d] = parseIPv4(cidr.split('/')[0]!);
  const base = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const net = (base & ~3) >>> 0;
  const toText = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  return { network: `${toText(net)}/30`, hostIp: toText(net + 1), nsIp: toText(net + 2), prefix: 30 };
}

export function allocateSubnet(usedIndices: Iterable<number>, nextSubnetIndex: number, config: SubnetConfig): SubnetAllocation {
  const index = chooseSubnetIndex(usedIndices, nextSubnetIndex);
  const cidr = indexToCidr(index, config);
  return { index, cidr, metallbIp: metallbIp(cidr, config.metallbHostOffset) };
}
