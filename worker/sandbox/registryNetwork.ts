/**
 * The install step's network: it may reach the package registry over https and nothing else —
 * not this host (PostgreSQL, Redis, the Docker socket's HTTP twin, a dev server on 0.0.0.0), not
 * other containers, not the rest of the internet, not even DNS.
 *
 * Measured here: a container on a Docker bridge (even an `--internal` one) reaches listeners on
 * every address of the host. So the install containers join a bridge of their own whose traffic
 * the host's firewall filters:
 *   INPUT        -i bp-registry0 → REJECT             (nothing on the host, whatever its address)
 *   DOCKER-USER  -i bp-registry0 → BP-REGISTRY         (Docker evaluates DOCKER-USER first)
 *   BP-REGISTRY  tcp to <registry address>:443 → RETURN, everything else → REJECT
 * The registry's addresses are resolved on the host and given to the container as /etc/hosts
 * entries, so the container needs no DNS at all. The rules are checked before every install and
 * rebuilt when the registry's addresses change.
 */
import { execFile } from 'node:child_process';
import dns from 'node:dns';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const execFileAsync = promisify(execFile);

export const REGISTRY_NETWORK = 'backendpro-registry';
export const REGISTRY_BRIDGE = 'bp-registry0';
const CHAIN = 'BP-REGISTRY';
/**
 * npm's registry, Yarn's name for the same one (pnpm and corepack use npm's), and Prisma's engine
 * host: the default of INSTALL_ALLOWED_HOSTS.
 */
export const DEFAULT_INSTALL_HOSTS = ['registry.npmjs.org', 'registry.yarnpkg.com', 'binaries.prisma.sh'];

/** What the operator configures for installs (core/config.ts: INSTALL_ALLOWED_HOSTS, PRISMA_ENGINES_MIRROR). */
export interface InstallNetworkSettings {
  /** Hosts the install network lets through on 443. */
  allowedHosts: string[];
  /** Where Prisma downloads its engines from instead of binaries.prisma.sh (its host is allowed too). */
  prismaEnginesMirror: string | null;
  /** Tells the operator about a host that cannot be allowed (the worker's logger; one stderr line by default). */
  warn: (message: string) => void;
}

let settings: InstallNetworkSettings = {
  allowedHosts: DEFAULT_INSTALL_HOSTS,
  prismaEnginesMirror: null,
  warn: (message) => process.stderr.write(`${message}\n`),
};

/** Set once at start-up by the worker (and the CLI) from the configuration. */
export function configureInstallNetwork(next: Partial<InstallNetworkSettings>): void {
  settings = { ...settings, ...next };
}

export function installNetworkSettings(): InstallNetworkSettings {
  return settings;
}

/** The allowed hosts plus the Prisma mirror's host. */
function configuredHosts(): string[] {
  const hosts = [...settings.allowedHosts];
  if (settings.prismaEnginesMirror) {
    try {
      hosts.push(new URL(settings.prismaEnginesMirror).hostname);
    } catch {
      // core/config.ts validates the URL; nothing to add otherwise.
    }
  }
  return [...new Set(hosts.map((host) => host.toLowerCase()))];
}

export interface RegistryNetwork {
  network: string;
  /** host → address, for the container's /etc/hosts. */
  hosts: Record<string, string>;
}

async function iptables(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('iptables', ['-w', '10', ...args], { timeout: 20_000 });
  return stdout;
}

async function ruleExists(...rule: string[]): Promise<boolean> {
  try {
    await iptables('-C', ...rule);
    return true;
  } catch {
    return false;
  }
}

/** Hosts already reported as unresolvable, so the log says it once per host, not once per install. */
const reportedUnresolvable = new Set<string>();

/**
 * Each host's IPv4 addresses. A host that does not resolve (no internet but the registry, a typo) is
 * left out and logged: the other hosts still work, and an install that asks for it fails naming it.
 */
async function resolveRegistry(hosts: string[]): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    hosts.map(async (host) => {
      const addresses = await dns.promises
        .resolve4(host)
        .catch(async () => (await dns.promises.lookup(host, { all: true, family: 4 })).map((a) => a.address))
        .catch(() => [] as string[]);
      if (addresses.length === 0 && !reportedUnresolvable.has(host)) {
        reportedUnresolvable.add(host);
        settings.warn(`[install network] ${host} (INSTALL_ALLOWED_HOSTS) does not resolve on the worker host; installs cannot reach it.`);
      }
      return [host, [...new Set(addresses)].sort()] as const;
    }),
  );
  return Object.fromEntries(entries.filter(([, addresses]) => addresses.length > 0));
}

let pending: Promise<RegistryNetwork> | null = null;

/** Creates the network and firewall rules when missing; concurrent callers share one run. */
export function ensureRegistryNetwork(docker: Docker, hosts: string[] = configuredHosts()): Promise<RegistryNetwork> {
  pending ??= setUp(docker, hosts).finally(() => {
    pending = null;
  });
  return pending;
}

async function setUp(docker: Docker, hosts: string[]): Promise<RegistryNetwork> {
  const networks = await docker.listNetworks({ filters: { name: [REGISTRY_NETWORK] } });
  if (!networks.some((network) => network.Name === REGISTRY_NETWORK)) {
    await docker
      .createNetwork({
        Name: REGISTRY_NETWORK,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { 'pro.backend.purpose': 'install steps: the package registry only' },
        Options: {
          'com.docker.network.bridge.name': REGISTRY_BRIDGE,
          // Two installs of two learners never talk to each other.
          'com.docker.network.bridge.enable_icc': 'false',
        },
      })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 409) throw error;
      });
  }

  const resolved = await resolveRegistry(hosts);
  const addresses = [...new Set(Object.values(resolved).flat())].sort();
  if (addresses.length === 0) throw new Error(`could not resolve the package registry (${hosts.join(', ')}) on the worker host`);

  const desired = [
    `-N ${CHAIN}`,
    ...addresses.map((address) => `-A ${CHAIN} -d ${address}/32 -p tcp -m tcp --dport 443 -j RETURN`),
    `-A ${CHAIN} -j REJECT --reject-with icmp-port-unreachable`,
  ];
  let current: string[];
  try {
    current = (await iptables('-S', CHAIN)).trim().split('\n');
  } catch {
    await iptables('-N', CHAIN);
    current = [`-N ${CHAIN}`];
  }
  if (current.join('\n') !== desired.join('\n')) {
    // Rebuilt in place: a concurrent install may see one refused connection and npm retries it.
    await iptables('-F', CHAIN);
    for (const rule of desired.slice(1)) await iptables(...rule.split(' '));
  }
  if (!(await ruleExists('DOCKER-USER', '-i', REGISTRY_BRIDGE, '-j', CHAIN))) {
    await iptables('-I', 'DOCKER-USER', '1', '-i', REGISTRY_BRIDGE, '-j', CHAIN);
  }
  if (!(await ruleExists('INPUT', '-i', REGISTRY_BRIDGE, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'))) {
    await iptables('-I', 'INPUT', '1', '-i', REGISTRY_BRIDGE, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable');
  }
  // The first address of each host goes to /etc/hosts; the firewall allows them all.
  const hostsFile = Object.fromEntries(Object.entries(resolved).flatMap(([host, list]) => (list[0] ? [[host, list[0]]] : [])));
  return { network: REGISTRY_NETWORK, hosts: hostsFile };
}
